"""PyTorch (CPU) references for bench/models.mjs, the same nets and batches:

  python3 torch_models.py descriptor BATCH STEPS THREADS
      the dlib face ResNet of @likeness/embeddings (29 convolutions, 150×150 RGB → 128),
      inference on a batch, random weights (the arithmetic does not depend on them).
  python3 torch_models.py finetune EPOCHS THREADS
      one fine-tuning epoch of that ResNet as @likeness/training's fineTune runs it by default:
      its last 3 residual stages and the projection trainable, 15 steps of a P=8 × K=4 batch of
      cached frozen features [4,4,256] (4 copies of 10 people × 10 images), batch-hard mining on a
      forward without gradients, then the triplet loss (plain L2, margin 0.1) on a second forward,
      its gradient and two Adam optimisers (stages 1e-5, projection 1e-4).

Each case times every way of running it that PyTorch offers here and reports the fastest as
msPerStep (so the ratios are against PyTorch at its best), with all of them under "variants":
descriptor: eager under inference_mode, eager channels_last, and TorchScript traced, frozen and
optimize_for_inference (which puts every convolution on oneDNN: in eager mode PyTorch 1.13 sends
a batch-1 convolution of a small input to im2col + BLAS, see torch_setup.py); finetune: eager and
channels_last. Prints one JSON line: {"case", "config", "variants", "best", "msPerStep"}.
The triplet step's reference is packages/training/bench/torch_step.py, the style-transfer step's
packages/nst/scripts/bench_torch.py (those packages' own benchmarks)."""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


from torch_setup import configure


def timed(step, steps):
    """Median ms of `step()` over `steps` runs after two warm-up runs."""
    for _ in range(2):
        step()
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1000)
    return sorted(times)[len(times) // 2]


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
        return self.fc(block_forward(self.blocks, self.BLOCKS, x).mean(dim=(2, 3)))


def descriptor(batch, steps):
    net = FaceResNet().eval()
    x = torch.rand(batch, 3, 150, 150)
    variants = {}

    def eager(n, inp):
        def step():
            with torch.inference_mode():
                return n(inp).sum().item()
        return step

    variants["eager"] = timed(eager(net, x), steps)
    cl_net = FaceResNet().eval().to(memory_format=torch.channels_last)
    variants["eager channels_last"] = timed(eager(cl_net, x.contiguous(memory_format=torch.channels_last)), steps)
    with torch.no_grad():
        scripted = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(net, x)))
    variants["torchscript optimize_for_inference"] = timed(eager(scripted, x), steps)
    return variants


def block_forward(blocks, specs, x):
    """The residual stages of FaceResNet.forward, on their own (the trainable tail)."""
    for (c1, c2), (cout, down) in zip(blocks, specs):
        o = c2(F.relu(c1(x)))
        if down:
            p = F.avg_pool2d(x, 2, 2)
            o = F.pad(o, (0, max(0, p.shape[3] - o.shape[3]), 0, max(0, p.shape[2] - o.shape[2])))
            p = F.pad(p, (0, 0, 0, 0, 0, o.shape[1] - p.shape[1]))
            x = F.relu(p + o)
        else:
            x = F.relu(o + x)
    return x


def finetune(epochs, channels_last):
    full = FaceResNet()
    stages = 3
    blocks, specs, fc = full.blocks[-stages:], FaceResNet.BLOCKS[-stages:], full.fc
    people, per, copies, p, k, steps, margin = 10, 10, 4, 8, 4, 15, 0.1
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    blocks.to(memory_format=fmt)
    feats = torch.rand(copies * people * per, 256, 4, 4).contiguous(memory_format=fmt)
    labels = torch.arange(people).repeat_interleave(per)
    opt_backbone = torch.optim.Adam(blocks.parameters(), lr=1e-5)
    opt_head = torch.optim.Adam(fc.parameters(), lr=1e-4)
    gen = torch.Generator().manual_seed(1)

    def encode(x):
        return fc(block_forward(blocks, specs, x).mean(dim=(2, 3)))

    def batch():
        ids = torch.randperm(people, generator=gen)[:p]
        rows = torch.cat([i * per + torch.randperm(per, generator=gen)[:k] for i in ids])
        copy = torch.randint(copies, (p * k,), generator=gen)
        return feats[copy * people * per + rows], labels[rows]

    def epoch():
        total = 0.0
        for _ in range(steps):
            x, lab = batch()
            same = lab[:, None] == lab[None, :]
            with torch.no_grad():  # mining, as the trainer does: a forward without gradients
                m = encode(x)
                d = torch.cdist(m, m)
                pos = d.masked_fill(~same, -1).argmax(dim=1)
                neg = d.masked_fill(same, float("inf")).argmin(dim=1)
            e = encode(x)
            loss = F.relu((e - e[pos]).norm(dim=1) - (e - e[neg]).norm(dim=1) + margin).mean()
            opt_backbone.zero_grad()
            opt_head.zero_grad()
            loss.backward()
            opt_backbone.step()
            opt_head.step()
            total += loss.item()
        return total

    return timed(epoch, epochs)


def main():
    case = sys.argv[1]
    if case == "descriptor":
        batch, steps, threads = map(int, sys.argv[2:5])
        config = configure(threads)
        variants = descriptor(batch, steps)
    elif case == "finetune":
        epochs, threads = map(int, sys.argv[2:4])
        config = configure(threads)
        variants = {"eager": finetune(epochs, False), "eager channels_last": finetune(epochs, True)}
    else:
        raise SystemExit(f"unknown case {case}: descriptor | finetune")
    best = min(variants, key=variants.get)
    print(json.dumps({"case": case, "config": config, "variants": variants, "best": best, "msPerStep": variants[best]}))


if __name__ == "__main__":
    main()
