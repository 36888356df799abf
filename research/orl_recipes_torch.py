"""Ablation of from-scratch ORL recipes in PyTorch (CPU), for @likeness/triplet's
README's "what each ingredient does" table: the compact encoder (4 x
conv3x3-BN-ReLU-maxpool 32/64/128/128, GAP, linear 128, L2-normalised) at
28x23, trained with triplet mining and/or the additive-margin softmax,
optional rotation/zoom/brightness augmentation, test-time flip averaging and
ensembles; metrics of docs/EVAL-FACES.md on the three splits (mean +- sample
std). Dev-only (Debian python3-torch: run with /usr/bin/python3); not part of
any test. Configuration as key=value arguments, e.g.

  /usr/bin/python3 orl_recipes_torch.py strategy=none ce=1 rot=10 scalejit=0.1 \
      bright=0.1 contrast=0.1 cmode=zero tta=1 ens=3

mix=4:4,4:4,2:5 makes an ensemble of members with their own input scale
(112x92 / s) and number of blocks; parts=0:0:1:1,0.1:0.1:0.9:0.9,... makes
a part-based ensemble (one member per crop y0:x0:y1:x1, in fractions of the
image, area-resized to about 28x23 pixels). ORL_DIR overrides the data folder (default: ../shared/data/faces/orl next to
the repository). "obal" is the balanced accuracy at the best threshold on the
held-out pairs themselves (an oracle, for diagnosis only)."""
import os, sys, math, time, json, copy, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
ORL_DIR = os.environ.get('ORL_DIR', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'data', 'faces', 'orl'))

cfg = dict(steps=300, strategy='batch-hard', scale=4, lr=1e-3, margin=0.2, p=10, k=5, shift=1, flip=1,
           width=1.0, emb=128, wd=0.0, ce=0.0, ls=0.1, arc=0.0, s=16.0, m=0.2, tta=0, norm=0, rot=0.0,
           bright=0.0, contrast=0.0, scalejit=0.0, dropout=0.0, splits='0,1,2', threads=1, seed=1, warm=0,
           metric='sq', soft=0, calaug=0, ens=1, cmode='mean', mix='', erase=0.0, pool='avg', depth=4, sched='cos', parts='', curpart='', ema=0.0, yaw=0.0, pitch=0.0, ttazoom='0.87:1:1.15')
DEV = torch.device('cuda' if torch.cuda.is_available() else 'cpu')  # a GPU when there is one (orl_sweep_torch.py)
SPLITS = {0: [f's{i}' for i in range(31, 41)],
          1: 's1 s2 s6 s9 s10 s12 s13 s16 s17 s38'.split(),
          2: 's8 s9 s12 s16 s19 s22 s23 s32 s36 s40'.split()}
def pgm(p):
    b = open(p, 'rb').read(); parts = b.split(maxsplit=4); w, h = int(parts[1]), int(parts[2])
    return np.frombuffer(b[-w * h:], dtype=np.uint8).reshape(h, w).astype(np.float32) / 255
ALL = {f's{i}': np.stack([pgm(os.path.join(ORL_DIR, f's{i}', f'{k}.pgm')) for k in range(1, 11)]) for i in range(1, 41)}

def load(people):
    x = torch.tensor(np.concatenate([ALL[p] for p in people]))[:, None]
    if cfg['curpart']:  # a member of a part-based ensemble: crop y0:x0:y1:x1 (fractions), area-resize to ~28x23 pixels
        y0, x0, y1, x1 = [float(v) for v in cfg['curpart'].split(':')]
        H, W = x.shape[2], x.shape[3]
        x = x[:, :, round(y0 * H):round(y1 * H), round(x0 * W):round(x1 * W)]
        h, w = x.shape[2], x.shape[3]; sc = math.sqrt(h * w / 644)
        x = F.interpolate(x, size=(round(h / sc), round(w / sc)), mode='area')
    elif cfg['scale'] > 1: x = F.avg_pool2d(x, cfg['scale'])
    y = torch.arange(len(people)).repeat_interleave(10)
    return x.to(DEV), y.to(DEV)

def prep(x):
    if cfg['norm']:
        m = x.mean(dim=(1, 2, 3), keepdim=True); s = x.std(dim=(1, 2, 3), keepdim=True) + 1e-5
        return (x - m) / s
    return x

class Net(nn.Module):
    def __init__(s, ncls):
        super().__init__()
        layers, cin = [], 1
        chans = [int(c * cfg['width']) for c in (32, 64, 128, 128, 256)][:cfg['depth']]
        for c in chans:
            layers += [nn.Conv2d(cin, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2)]
            cin = c
        s.body = nn.Sequential(*layers[:-1]) if cfg['pool'] == 'nolast' else nn.Sequential(*layers)
        s.drop = nn.Dropout(cfg['dropout'])
        s.fc = nn.Linear(cin, cfg['emb'])
        s.cls = nn.Parameter(torch.randn(ncls, cfg['emb']) * 0.01)
    def forward(s, x):
        h = s.body(prep(x))
        h = h.mean(dim=(2, 3)) if cfg['pool'] != 'max' else h.amax(dim=(2, 3))
        return F.normalize(s.fc(s.drop(h)), dim=1)

def augment(x, rng):
    n, _, H, W = x.shape
    out = x.clone()
    if cfg['rot'] > 0 or cfg['scalejit'] > 0:
        ang = torch.tensor(rng.uniform(-cfg['rot'], cfg['rot'], n) * math.pi / 180, dtype=torch.float32, device=x.device)
        sc = torch.tensor(1 + rng.uniform(-cfg['scalejit'], cfg['scalejit'], n), dtype=torch.float32, device=x.device)
        tx = torch.tensor(rng.integers(-cfg['shift'], cfg['shift'] + 1, n) * 2.0 / W, dtype=torch.float32, device=x.device)
        ty = torch.tensor(rng.integers(-cfg['shift'], cfg['shift'] + 1, n) * 2.0 / H, dtype=torch.float32, device=x.device)
        th = torch.zeros(n, 2, 3, device=x.device)
        th[:, 0, 0] = torch.cos(ang) / sc; th[:, 0, 1] = -torch.sin(ang) / sc * H / W; th[:, 0, 2] = tx
        th[:, 1, 0] = torch.sin(ang) / sc * W / H; th[:, 1, 1] = torch.cos(ang) / sc; th[:, 1, 2] = ty
        grid = F.affine_grid(th, x.shape, align_corners=False)
        if cfg['yaw'] > 0 or cfg['pitch'] > 0:  # a head turn / nod, roughly: the centre moves, the border stays
            a = torch.tensor(rng.uniform(-cfg['yaw'], cfg['yaw'], n), dtype=torch.float32, device=x.device)[:, None, None]
            b = torch.tensor(rng.uniform(-cfg['pitch'], cfg['pitch'], n), dtype=torch.float32, device=x.device)[:, None, None]
            gx, gy = grid[..., 0], grid[..., 1]
            grid = torch.stack([gx + a * (1 - gx ** 2), gy + b * (1 - gy ** 2)], -1)
        out = F.grid_sample(x, grid, padding_mode='border', align_corners=False)
    else:
        s = cfg['shift']; xp = F.pad(x, (s, s, s, s))
        for i in range(n):
            dy, dx = rng.integers(-s, s + 1, 2)
            out[i] = xp[i, :, s + dy:s + dy + H, s + dx:s + dx + W]
    if cfg['flip']:
        f = torch.tensor(rng.random(n) < 0.5, device=x.device)
        out[f] = torch.flip(out[f], [3])
    if cfg['bright'] > 0 or cfg['contrast'] > 0:
        b = torch.tensor(rng.uniform(-cfg['bright'], cfg['bright'], n), dtype=torch.float32, device=x.device)[:, None, None, None]
        c = torch.tensor(1 + rng.uniform(-cfg['contrast'], cfg['contrast'], n), dtype=torch.float32, device=x.device)[:, None, None, None]
        m = out.mean(dim=(1, 2, 3), keepdim=True) if cfg['cmode'] == 'mean' else 0
        out = ((out - m) * c + m + b).clamp(0, 1)
    if cfg['erase'] > 0:
        for i in range(n):
            if rng.random() < cfg['erase']:
                eh, ew = rng.integers(H // 5, H // 2), rng.integers(W // 5, W // 2)
                y0, x0 = rng.integers(0, H - eh), rng.integers(0, W - ew)
                out[i, :, y0:y0 + eh, x0:x0 + ew] = rng.random()
    return out

def metrics(e, y, eth, yth):
    d = torch.cdist(e, e).numpy(); n = len(y); iu = np.triu_indices(n, 1)
    dd = d[iu]; sm = (y[:, None] == y[None, :]).numpy()[iu]
    pos, neg = dd[sm], dd[~sm]
    allv = np.concatenate([pos, neg]); order = np.argsort(allv, kind='mergesort')
    ranks = np.empty(len(allv)); ranks[order] = np.arange(len(allv))
    # AUC with ties half
    auc = ((pos[:, None] < neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg))
    th = np.unique(allv)
    tar = np.array([(pos <= t).mean() for t in th]); far = np.array([(neg <= t).mean() for t in th])
    i = np.argmin(np.abs(1 - tar - far)); eer = (far[i] + 1 - tar[i]) / 2
    def tar_at(f):
        ok = far <= f
        return tar[ok].max() if ok.any() else 0.0
    # threshold from training pairs
    dt = torch.cdist(eth, eth).numpy(); m = len(yth); it = np.triu_indices(m, 1)
    dtt = dt[it]; st = (yth[:, None] == yth[None, :]).numpy()[it]
    ths = np.unique(dtt)
    pt, nt = np.sort(dtt[st]), np.sort(dtt[~st])
    ba = (np.searchsorted(pt, ths, 'right') / len(pt) + 1 - np.searchsorted(nt, ths, 'right') / len(nt)) / 2
    t = ths[np.argmax(ba)]
    bal = ((pos <= t).mean() + (neg > t).mean()) / 2
    ps, ns = np.sort(pos), np.sort(neg)
    obal = ((np.searchsorted(ps, th, 'right') / len(ps)) + 1 - np.searchsorted(ns, th, 'right') / len(ns)).max() / 2
    # one-shot top-1: enrol first image of each person
    ids = np.unique(y.numpy()); enrol = [np.where(y.numpy() == c)[0][0] for c in ids]
    probes = [j for j in range(n) if j not in enrol]
    pred = ids[np.argmin(d[np.ix_(probes, enrol)], axis=1)]
    top1 = (pred == y.numpy()[probes]).mean()
    return dict(auc=auc, eer=eer, bal=bal, obal=obal, tar2=tar_at(1e-2), tar3=tar_at(1e-3), top1=top1)

def embed(net, x):
    net.eval()
    with torch.no_grad():
        e = net(x)
        if cfg['tta'] == 1: e = F.normalize(e + net(torch.flip(x, [3])), dim=1)
        if cfg['tta'] == 3:  # flips x zooms ttazoom=0.87:1:1.15
            acc = 0
            for z in [float(v) for v in cfg['ttazoom'].split(':')]:
                th = torch.zeros(x.shape[0], 2, 3, device=x.device); th[:, 0, 0] = 1 / z; th[:, 1, 1] = 1 / z
                v = F.grid_sample(x, F.affine_grid(th, x.shape, align_corners=False), padding_mode='border', align_corners=False)
                acc = acc + net(v) + net(torch.flip(v, [3]))
            e = F.normalize(acc, dim=1)
        if cfg['tta'] == 2:
            acc = 0
            xp = F.pad(x, (1, 1, 1, 1), mode='replicate'); H, W = x.shape[2], x.shape[3]
            for dy, dx in [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]:
                v = xp[:, :, 1 + dy:1 + dy + H, 1 + dx:1 + dx + W]
                acc = acc + net(v) + net(torch.flip(v, [3]))
            e = F.normalize(acc, dim=1)
    return e.cpu()

TRAIN = {}  # split key -> its training people, when not "everyone else" (the sweep's inner splits)
def people_of(split):
    test = SPLITS[split]
    return test, TRAIN.get(split) or [f's{i}' for i in range(1, 41) if f's{i}' not in test]

def train_one(split, member):
    test, train = people_of(split)
    torch.manual_seed(cfg['seed'] + split + 100 * member); rng = np.random.default_rng(cfg['seed'] + split + 100 * member)
    Xtr, Ytr = load(train); Xte, Yte = load(test)
    net = Net(len(train)).to(DEV)
    ema_net = copy.deepcopy(net) if cfg['ema'] > 0 else None  # ema=0.99: evaluate an exponential moving average of the weights
    opt = torch.optim.Adam(net.parameters(), lr=cfg['lr'], weight_decay=cfg['wd']) if cfg['wd'] == 0 else torch.optim.AdamW(net.parameters(), lr=cfg['lr'], weight_decay=cfg['wd'])
    steps = cfg['steps']
    def lr_at(s):
        w = cfg['warm']
        if s < w: return (s + 1) / w
        return 0.5 * (1 + math.cos(math.pi * (s - w) / max(1, steps - w))) if cfg['sched'] == 'cos' else 1.0
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    P, K = cfg['p'], cfg['k']
    t0 = time.time()
    for s in range(steps):
        net.train()
        ids = rng.choice(len(train), P, replace=False); idx = []
        for c in ids: idx += list(rng.choice(np.where(Ytr.cpu().numpy() == c)[0], K, replace=False))
        x = augment(Xtr[idx], rng); y = Ytr[idx]
        e = net(x)
        d = torch.cdist(e, e)
        if cfg['metric'] == 'sq': d = d.pow(2)
        same = y[:, None] == y[None, :]
        loss = torch.zeros(())
        if cfg['strategy'] != 'none':
            if cfg['strategy'] == 'batch-hard':
                hp = (d * same.float()).max(1).values; hn = d.masked_fill(same, float('inf')).min(1).values
                L = F.softplus(hp - hn) if cfg['soft'] else F.relu(hp - hn + cfg['margin'])
            elif cfg['strategy'] == 'batch-all':
                a, p_ = torch.where(same & ~torch.eye(len(y), dtype=bool))
                dap = d[a, p_][:, None]; dan = d[a]; negm = ~same[a]
                Lm = F.relu(dap - dan + cfg['margin']) * negm
                L = Lm[Lm > 0] if (Lm > 0).any() else Lm.sum()[None]
            elif cfg['strategy'] == 'semi-hard':
                a, p_ = torch.where(same & ~torch.eye(len(y), dtype=bool))
                dap = d[a, p_].detach()[:, None]; dan = d[a].detach(); negm = ~same[a]
                semi = negm & (dan > dap) & (dan < dap + cfg['margin'])
                cand = torch.where(semi, dan, torch.full_like(dan, float('inf')))
                hard = torch.where(negm & (dan <= dap), dan, torch.full_like(dan, -float('inf')))
                nsel = torch.where(semi.any(1), cand.argmin(1), hard.argmax(1))
                L = F.relu(d[a, p_] - d[a, nsel] + cfg['margin'])
            else:  # random
                a, p_ = torch.where(same & ~torch.eye(len(y), dtype=bool))
                n_ = torch.tensor([rng.choice(np.where(~same[i].numpy())[0]) for i in a.tolist()])
                L = F.relu(d[a, p_] - d[a, n_] + cfg['margin'])
            loss = L.mean()
        if cfg['ce'] > 0:
            W = F.normalize(net.cls, dim=1); cos = e @ W.t()
            if cfg['arc'] > 0:
                th = torch.acos(cos.clamp(-1 + 1e-6, 1 - 1e-6))
                target = torch.cos(th + cfg['arc'])
                oh = F.one_hot(y, len(train)).bool()
                cos = torch.where(oh, target, cos)
            elif cfg['m'] > 0 and cfg['arc'] == 0:
                oh = F.one_hot(y, len(train)).float(); cos = cos - cfg['m'] * oh
            loss = loss + cfg['ce'] * F.cross_entropy(cfg['s'] * cos, y, label_smoothing=cfg['ls'])
        opt.zero_grad(); loss.backward(); opt.step(); sched.step()
        if ema_net is not None:
            with torch.no_grad():
                dec = min(cfg['ema'], (1 + s) / (10 + s))
                for pe, pn in zip(ema_net.parameters(), net.parameters()): pe.mul_(dec).add_(pn, alpha=1 - dec)
                for be, bn in zip(ema_net.buffers(), net.buffers()): be.copy_(bn)
    secs = time.time() - t0
    return (ema_net if ema_net is not None else net), secs

def run(split):
    test, train = people_of(split)
    ete, etr, secs = [], [], 0
    plan = [tuple(int(v) for v in p.split(':')) for p in cfg['mix'].split(',')] if cfg['mix'] else [(cfg['scale'], cfg['depth'])] * cfg['ens']
    base = (cfg['scale'], cfg['depth'])
    partl = cfg['parts'].split(',') if cfg['parts'] else [''] * len(plan)
    if cfg['parts']: plan = [plan[0]] * len(partl)
    for m, (sc_, dp_) in enumerate(plan):
        cfg['scale'], cfg['depth'] = sc_, dp_
        cfg['curpart'] = partl[m]
        Xtr, Ytr = load(train); Xte, Yte = load(test)
        Xcal = augment(Xtr, np.random.default_rng(99)) if cfg['calaug'] else Xtr
        net, sc = train_one(split, m); secs += sc
        ete.append(embed(net, Xte)); etr.append(embed(net, Xcal))
    cfg['scale'], cfg['depth'] = base
    cfg['ens'] = len(plan)
    r = metrics(torch.cat(ete, 1) / math.sqrt(cfg['ens']), Yte.cpu(), torch.cat(etr, 1) / math.sqrt(cfg['ens']), Ytr.cpu())
    r['secs'] = secs
    return r

if __name__ == '__main__':
    for a in sys.argv[1:]:
        k_, v = a.split('=')
        cfg[k_] = type(cfg[k_])(v) if not isinstance(cfg[k_], str) else v
    torch.set_num_threads(cfg['threads'])
    res = []
    for sp in [int(s) for s in cfg['splits'].split(',')]:
        r = run(sp); res.append(r)
        print(f'  split {sp}: ' + ' '.join(f'{k} {100*v:.1f}' if k != 'secs' else f'{v:.0f}s' for k, v in r.items()), flush=True)
    keys = ['auc', 'eer', 'bal', 'obal', 'tar2', 'tar3', 'top1']
    args = ' '.join(sys.argv[1:])
    print(f'RESULT [{args}] ' + ' '.join(f'{k} {100*np.mean([r[k] for r in res]):.1f}±{100*np.std([r[k] for r in res], ddof=1) if len(res)>1 else 0:.1f}' for k in keys), flush=True)
