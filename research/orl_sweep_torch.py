"""Random search over from-scratch ORL recipes with nested selection (dev-only;
Debian python3-torch, or any PyTorch with a GPU; not part of any test).

Every configuration (config 0 = the package's recipe: margin softmax,
rotation/zoom/brightness augmentation, flip averaging; the others draw
each hyper-parameter from SPACE) trains an ensemble of 3 members twice per
split: on 20 of the 30 training people, scored on the other 10 (the
*inner* split: selection), and on all 30, scored on the 10 held-out
people of docs/EVAL-FACES.md (the *outer* split: the result). A
configuration is chosen by its inner score alone, so its held-out score is
an honest estimate. One JSON line per (configuration, split, inner/outer)
goes to $OUT/sweep.jsonl as soon as its 3 members are done.

  ORL_DIR=/path/to/orl OUT=/tmp /usr/bin/python3 orl_sweep_torch.py 60 16 480
  # 60 random configurations + the recipe, 16 worker processes, stop after 480 s

SMOKE_STEPS=3 shortens every training run to check the plumbing.
"""
import os, sys, json, time, random, math
import multiprocessing as mp
import numpy as np

BASE = dict(strategy='none', ce=1.0, rot=10.0, scalejit=0.1, bright=0.1, contrast=0.1, cmode='zero', tta=1)
SPACE = dict(s=[12.0, 16.0, 24.0, 32.0], m=[0.1, 0.2, 0.3, 0.4], ls=[0.0, 0.1, 0.2], steps=[300, 500, 800],
             lr=[5e-4, 1e-3, 2e-3], rot=[0.0, 5.0, 10.0, 15.0], scalejit=[0.0, 0.05, 0.1, 0.15],
             bright=[0.0, 0.1, 0.2], width=[1.0, 1.5, 2.0], emb=[64, 128, 256], scale=[4, 4, 3],
             p=[10, 15, 30], dropout=[0.0, 0.0, 0.2], wd=[0.0, 0.0, 0.05], arc=[0.0, 0.0, 0.3], erase=[0.0, 0.0, 0.3])
K_OF_P = {10: 5, 15: 4, 30: 2}

def init(orl, here):
    os.environ['ORL_DIR'] = orl; sys.path.insert(0, here)
    import torch; torch.set_num_threads(1)

def work(task):
    cid, conf, split, member, inner = task
    import torch, orl_recipes_torch as core
    core.cfg.update(conf); core.cfg['steps'] = int(os.environ.get('SMOKE_STEPS', core.cfg['steps'])); core.cfg['k'] = K_OF_P[core.cfg['p']]; core.cfg['contrast'] = core.cfg['bright']
    key = split + (10 if inner else 0)
    if inner and core.cfg['p'] > 20: core.cfg['p'] = 20
    outer_test = core.SPLITS[split]; tr30 = [f's{i}' for i in range(1, 41) if f's{i}' not in outer_test]
    if inner:
        core.SPLITS[key] = tr30[0::3]; core.TRAIN[key] = [p for p in tr30 if p not in tr30[0::3]]
    test, train = core.people_of(key)
    t0 = time.time()
    net, _ = core.train_one(key, member)
    Xte, Yte = core.load(test); Xtr, Ytr = core.load(train)
    ete, etr = core.embed(net, Xte).numpy(), core.embed(net, Xtr).numpy()
    return cid, split, member, inner, ete, etr, Yte.cpu().numpy(), Ytr.cpu().numpy(), time.time() - t0

def metrics(e, y, et, yt):
    import torch, orl_recipes_torch as core
    return core.metrics(torch.tensor(e), torch.tensor(y), torch.tensor(et), torch.tensor(yt))

if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    out = os.environ.get('OUT', '/tmp'); ncfg = int(sys.argv[1]); workers = int(sys.argv[2]); budget = float(sys.argv[3])
    rnd = random.Random(5)
    confs = [dict(BASE)]
    for _ in range(ncfg):
        c = dict(BASE); c.update({k: rnd.choice(v) for k, v in SPACE.items()}); confs.append(c)
    tasks = [(ci, c, sp, m, inner) for ci, c in enumerate(confs) for sp in (0, 1, 2) for inner in (True, False) for m in range(3)]
    ctx = mp.get_context('spawn'); t0 = time.time()
    got = {}
    f = open(os.path.join(out, 'sweep.jsonl'), 'w')
    with ctx.Pool(workers, initializer=init, initargs=(os.environ['ORL_DIR'], os.path.dirname(os.path.abspath(__file__)))) as pool:
        for r in pool.imap_unordered(work, tasks):
            cid, sp, m, inner, ete, etr, yte, ytr, secs = r
            got.setdefault((cid, sp, inner), []).append((m, ete, etr, yte, ytr, secs))
            if len(got[(cid, sp, inner)]) == 3:
                mem = sorted(got.pop((cid, sp, inner)), key=lambda t: t[0])
                E = np.concatenate([t[1] for t in mem], 1) / math.sqrt(3); T = np.concatenate([t[2] for t in mem], 1) / math.sqrt(3)
                res = {k: float(v) for k, v in metrics(E, mem[0][3], T, mem[0][4]).items()}
                single = {k: float(v) for k, v in metrics(mem[0][1], mem[0][3], mem[0][2], mem[0][4]).items()}
                f.write(json.dumps(dict(cid=cid, conf=confs[cid], split=sp, inner=inner, ens=res, single=single, secs=[t[5] for t in mem], t=time.time() - t0)) + '\n'); f.flush()
            if time.time() - t0 > budget: print('budget reached'); pool.terminate(); break
    print('done', time.time() - t0)
