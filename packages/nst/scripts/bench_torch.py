"""PyTorch (CPU) reference for scripts/bench.mjs: the same nets, the same
Gram/content loss and an Adam step on the image, timed per value+gradient step.
The same step as likeness's createStyleTransfer with its defaults: the total-variation
term (mean of squared neighbour differences, weight 1) on both nets, and on MobileNetV2
the softmax smoothing of the style activations over channels (Wang et al. 2021), which
likeness applies to residual backbones by default.
Usage: python3 bench_torch.py NET SIZE STEPS THREADS   (NET: vgg19 | mobilenet_v2)

PyTorch on the same fair settings as @likeness/backend-onednn's references (its
bench/torch_setup.py's configure(): intra-op threads, one inter-op thread, the configuration
printed; run it through the root scripts/bench-harness.mjs's runTorch for passive OpenMP waits and OpenBLAS):
the step is timed in both memory formats (contiguous NCHW and channels_last, which oneDNN's
convolutions prefer) and the faster is reported.
Prints one JSON line: {"net", "size", "threads", "config", "variants", "best", "seconds_per_step"}
(seconds_per_step is the best variant's). With LIKENESS_TORCH_PROFILE=1 it also prints, to stderr,
torch.profiler's table of one warm step per variant (ops by self CPU time, with call counts), to set
beside @likeness/backend-onednn's bench/profile.mjs."""
import json, os, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "backend-onednn", "bench"))
from torch_setup import configure  # noqa: E402  (shared with the backend's references)

net_name, size, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
config = configure(threads)


def vgg19():
    layers, names, cin = [], [], 3
    for b, n in enumerate([2, 2, 4, 4, 4]):
        cout = [64, 128, 256, 512, 512][b]
        for i in range(n):
            layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU()]
            names += [f"conv{b+1}_{i+1}", f"relu{b+1}_{i+1}"]
            cin = cout
        if b < 4:
            layers.append(nn.AvgPool2d(2))
            names.append(f"pool{b+1}")
    style = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]
    return layers, names, style, ["relu4_2"], "relu5_1"


def mobilenet_v2():
    """Keras MobileNetV2 (alpha 1) up to block_10_expand_relu, BatchNorm folded (as in likeness)."""
    layers, names = [], []

    class Block(nn.Module):
        def __init__(self, cin, cout, expand, stride):
            super().__init__()
            hid = cin * expand
            self.expand = nn.Sequential(nn.Conv2d(cin, hid, 1), nn.ReLU6()) if expand != 1 else None
            self.dw = nn.Sequential(nn.Conv2d(hid, hid, 3, stride, 1, groups=hid), nn.ReLU6())
            self.project = nn.Conv2d(hid, cout, 1)
            self.res = stride == 1 and cin == cout

        def forward(self, x, taps, prefix):
            y = x
            if self.expand is not None:
                y = self.expand(y)
                taps[f"{prefix}_expand_relu"] = y
            y = self.project(self.dw(y))
            return x + y if self.res else y

    cfg = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1)]
    blocks, cin = [], 32
    for t, c, n, s in cfg:
        for i in range(n):
            blocks.append(Block(cin, c, t, s if i == 0 else 1))
            cin = c
    return blocks


class MNV2(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1), nn.ReLU6())
        self.blocks = nn.ModuleList(mobilenet_v2()[:12])  # blocks 0..11; stop at block_10 expand

    def forward(self, x):
        taps = {}
        x = self.conv1(x)
        taps["Conv1_relu"] = x
        for i, b in enumerate(self.blocks):
            x = b(x, taps, f"block_{i}")
            if "block_10_expand_relu" in taps:
                break
        return taps


# likeness's default for the backbone: softmax smoothing of style activations on MobileNetV2, none on VGG-19.
smooth_style = net_name == "mobilenet_v2"


def smooth(a):
    return torch.softmax(a, dim=1) if smooth_style else a


def total_variation(img):
    dy = img[:, :, 1:, :] - img[:, :, :-1, :]
    dx = img[:, :, :, 1:] - img[:, :, :, :-1]
    return ((dy ** 2).sum() + (dx ** 2).sum()) / img.numel()


def gram(a):
    n, c, h, w = a.shape
    f = a.reshape(c, h * w)
    return f @ f.t() / (h * w)


if net_name == "vgg19":
    layers, names, style_layers, content_layers, last = vgg19()
    seq = nn.ModuleList(layers)

    def features(x):
        out = {}
        for m, n in zip(seq, names):
            x = m(x)
            out[n] = x
            if n == last:
                break
        return out
else:
    model = MNV2()
    style_layers = ["Conv1_relu", "block_1_expand_relu", "block_3_expand_relu", "block_6_expand_relu", "block_10_expand_relu"]
    content_layers = ["block_6_expand_relu"]
    features = model

for p in (seq.parameters() if net_name == "vgg19" else model.parameters()):
    p.requires_grad_(False)

content = torch.rand(1, 3, size, size)
style = torch.rand(1, 3, size, size)
net = seq if net_name == "vgg19" else model


def seconds_per_step(memory_format):
    net.to(memory_format=memory_format)
    c = content.contiguous(memory_format=memory_format)
    s = style.contiguous(memory_format=memory_format)
    with torch.no_grad():
        fc = features(c)
        fs = features(s)
        targets = {l: gram(smooth(fs[l])) for l in style_layers}
        ctargets = {l: fc[l] for l in content_layers}
    img = c.clone().requires_grad_(True)
    opt = torch.optim.Adam([img], lr=0.02)

    def step():
        opt.zero_grad()
        f = features(img)
        loss = sum(F.mse_loss(f[l], ctargets[l], reduction="sum") / (4 * f[l].numel()) for l in content_layers)
        for l in style_layers:
            ch = f[l].shape[1]
            loss = loss + ((gram(smooth(f[l])) - targets[l]) ** 2).sum() / (4 * ch * ch) * 1000 / len(style_layers)
        loss = loss + total_variation(img)
        loss.backward()
        opt.step()
        with torch.no_grad():
            img.clamp_(0, 1)

    step()  # warm-up
    t = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = (time.perf_counter() - t) / steps
    if os.environ.get("LIKENESS_TORCH_PROFILE") == "1":
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            step()
        print(f"{net_name} {size}² {memory_format}: {seconds * 1000:.0f} ms a step", file=sys.stderr)
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25), file=sys.stderr)
    return seconds


variants = {"eager": seconds_per_step(torch.contiguous_format), "eager channels_last": seconds_per_step(torch.channels_last)}
best = min(variants, key=variants.get)
print(json.dumps({"net": net_name, "size": size, "threads": config["threads"], "config": config, "variants": variants, "best": best, "seconds_per_step": variants[best]}))
