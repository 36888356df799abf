"""PyTorch reference for the triplet training-step benchmark: the compact
encoder of @likeness/embeddings (4 x conv3x3-BN-ReLU-maxpool 32/64/128/128,
GAP, linear 128, L2-normalised), batch-hard triplet loss (margin 0.2,
squared L2) on a P=10 x K=5 batch, Adam 1e-3. Prints one JSON line."""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def main():
    h, w, steps, threads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers, cin = [], 1
    for c in (32, 64, 128, 128):
        layers += [nn.Conv2d(cin, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2)]
        cin = c
    body = nn.Sequential(*layers)
    fc = nn.Linear(128, 128)
    params = list(body.parameters()) + list(fc.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    x = torch.rand(50, 1, h, w)
    labels = torch.arange(10).repeat_interleave(5)
    same = labels[:, None] == labels[None, :]

    def step():
        e = F.normalize(fc(body(x).mean(dim=(2, 3))), dim=1)
        d = torch.cdist(e, e).pow(2)
        hp = (d * same.float()).max(dim=1).values
        hn = d.masked_fill(same, float('inf')).min(dim=1).values
        loss = F.relu(hp - hn + 0.2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(3):
        step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    ms = (time.perf_counter() - t) * 1000 / steps
    print(json.dumps({"torch": torch.__version__, "threads": threads, "h": h, "w": w, "msPerStep": ms}))


if __name__ == "__main__":
    main()
