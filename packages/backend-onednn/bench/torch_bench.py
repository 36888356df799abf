"""PyTorch-on-CPU reference for bench/bench.mjs and @likeness/backends' bench/bench.mjs (the one
kernel reference of the repository). Prints one JSON line: {case: ms}, keyed by the JS benches'
case names; each bench shows the cases it runs ("matMul 1024²" is the backends bench's alone).

Usage: /usr/bin/python3 torch_bench.py THREADS REPS
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

from torch_setup import configure

configure(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def timed(fn):
    fn()  # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


x = torch.randn(1, 64, 256, 256)
w = torch.randn(64, 64, 3, 3) * 0.05
w2 = torch.randn(64, 64, 3, 3) * 0.05
xd = torch.randn(8, 96, 64, 64)
wd = torch.randn(96, 1, 3, 3) * 0.1
a = torch.randn(1024, 1024)  # drawn after the others, so their inputs are as before
b = torch.randn(1024, 1024)


def conv_fwd():
    with torch.no_grad():
        F.conv2d(x, w, padding=1)


def conv_fwd_bwd():
    xr = x.clone().requires_grad_(True)
    wr = w.clone().requires_grad_(True)
    y = F.conv2d(xr, wr, padding=1)
    y.backward(torch.ones_like(y))


def depthwise_fwd_bwd():
    xr = xd.clone().requires_grad_(True)
    wr = wd.clone().requires_grad_(True)
    y = F.conv2d(xr, wr, padding=1, groups=96)
    y.backward(torch.ones_like(y))


def mat_mul():
    with torch.no_grad():
        torch.matmul(a, b)


def vgg_block():
    xr = x.clone().requires_grad_(True)
    wa = w.clone().requires_grad_(True)
    wb = w2.clone().requires_grad_(True)
    h = F.relu(F.conv2d(xr, wa, padding=1))
    h = F.relu(F.conv2d(h, wb, padding=1))
    y = F.max_pool2d(h, 2, 2)
    y.sum().backward()


print(json.dumps({
    "conv2d fwd": timed(conv_fwd),
    "conv2d fwd+dx+dW": timed(conv_fwd_bwd),
    "depthwise 3×3 [8,64,64,96] fwd+dx+dW": timed(depthwise_fwd_bwd),
    "matMul 1024²": timed(mat_mul),
    "VGG block fwd+bwd": timed(vgg_block),
}))
