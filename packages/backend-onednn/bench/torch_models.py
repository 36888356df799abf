"""PyTorch (CPU) references for bench/models.mjs, the same nets and batches:

  python3 torch_models.py triplet H W STEPS THREADS
      one triplet training step: the compact encoder of @likeness/embeddings
      (4 × conv3×3-BN-ReLU-maxpool 32/64/128/128, GAP, linear 128, L2-normalised),
      batch-hard triplet loss (margin 0.2, squared L2) on a P=10 × K=5 batch, Adam 1e-3.
  python3 torch_models.py descriptor BATCH STEPS THREADS
      the dlib face ResNet of @likeness/embeddings (29 convolutions, 150×150 RGB → 128),
      inference on a batch, random weights (the arithmetic does not depend on them).

Prints one JSON line: {"case": …, "msPerStep": …}. The style-transfer step's reference is
packages/nst/scripts/bench_torch.py (the nst package's own benchmark)."""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def timed(step, steps):
    for _ in range(2):
        step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t) * 1000 / steps


def triplet(h, w, steps):
    layers, cin = [], 1
    for c in (32, 64, 128, 128):
        layers += [nn.Conv2d(cin, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2)]
        cin = c
    body = nn.Sequential(*layers)
    fc = nn.Linear(128, 128)
    opt = torch.optim.Adam(list(body.parameters()) + list(fc.parameters()), lr=1e-3)
    x = torch.rand(50, 1, h, w)
    labels = torch.arange(10).repeat_interleave(5)
    same = labels[:, None] == labels[None, :]

    def step():
        e = F.normalize(fc(body(x).mean(dim=(2, 3))), dim=1)
        d = torch.cdist(e, e).pow(2)
        hp = (d * same.float()).max(dim=1).values
        hn = d.masked_fill(same, float("inf")).min(dim=1).values
        loss = F.relu(hp - hn + 0.2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return timed(step, steps)


class FaceResNet(nn.Module):
    """dlib's face ResNet as @likeness/embeddings runs it (scale layers folded into the convolutions)."""

    BLOCKS = [(32, False)] * 3 + [(64, True)] + [(64, False)] * 3 + [(128, True)] + [(128, False)] * 2 + [(256, True)] + [(256, False)] * 2 + [(256, True)]

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 32, 7, stride=2)
        self.blocks = nn.ModuleList()
        cin = 32
        for cout, down in self.BLOCKS:
            self.blocks.append(nn.ModuleList([nn.Conv2d(cin, cout, 3, stride=2 if down else 1, padding=0 if down else 1), nn.Conv2d(cout, cout, 3, padding=1)]))
            cin = cout
        self.fc = nn.Linear(256, 128, bias=False)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.stem(x)), 3, 2)
        for (c1, c2), (cout, down) in zip(self.blocks, self.BLOCKS):
            o = c2(F.relu(c1(x)))
            if down:
                p = F.avg_pool2d(x, 2, 2)
                o = F.pad(o, (0, max(0, p.shape[3] - o.shape[3]), 0, max(0, p.shape[2] - o.shape[2])))
                p = F.pad(p, (0, 0, 0, 0, 0, o.shape[1] - p.shape[1]))
                x = F.relu(p + o)
            else:
                x = F.relu(o + x)
        return self.fc(x.mean(dim=(2, 3)))


def descriptor(batch, steps):
    net = FaceResNet().eval()
    x = torch.rand(batch, 3, 150, 150)

    def step():
        with torch.no_grad():
            return net(x).sum().item()

    return timed(step, steps)


def main():
    case = sys.argv[1]
    torch.manual_seed(0)
    if case == "triplet":
        h, w, steps, threads = map(int, sys.argv[2:6])
        torch.set_num_threads(threads)
        ms = triplet(h, w, steps)
    elif case == "descriptor":
        batch, steps, threads = map(int, sys.argv[2:5])
        torch.set_num_threads(threads)
        ms = descriptor(batch, steps)
    else:
        raise SystemExit(f"unknown case {case}: triplet | descriptor")
    print(json.dumps({"case": case, "torch": torch.__version__, "threads": threads, "msPerStep": ms}))


if __name__ == "__main__":
    main()
