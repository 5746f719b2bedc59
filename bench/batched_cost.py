"""What a batched pass costs: `compare_wd` and `lr_find_wd` with K settings in one pass, against one run of one setting
and against K runs, all timed in one process with the runs alternated (median of `--reps`; next to it, the median of each
repetition's pass against that repetition's one run, and the fastest pass against the fastest run: on a shared machine the
load changes from one repetition to the next); then the peak memory of each pass (a fresh process per K: CPU resident
memory, or CUDA's allocator peak).

    python bench/batched_cost.py                          # digits MLP on the CPU, K = 1 4 8 16
    python bench/batched_cost.py --device cuda --model cnn --ks 1 8 32

Targets: CPU, digits MLP: K=8 batched <= 2.4x one run (issue 24; issue 14's 2.0x was met with private torch/fastai internals,
since removed); CUDA: K=8 <= 1.2x and K=32 <= 2x one run. For the MLP it
also times the arithmetic alone (a bare PyTorch loop of K stacked copies, no fastai): what no batched pass can go under.
"""
import argparse, json, resource, statistics, subprocess, sys, time, warnings
warnings.filterwarnings('ignore')

def learner(model:str, device:str):
    import torch
    from torch import nn
    from fastai.basics import Learner
    from wdcourse.data import digits_learner
    import wdcourse.recipes  # Learner.compare_wd, Learner.lr_find_wd
    learn = digits_learner(device=device)
    if model=='cnn':
        torch.manual_seed(0)
        cnn = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.Flatten(), nn.Linear(32*16, 10))
        learn = Learner(learn.dls, cnn, loss_func=learn.loss_func, metrics=learn.metrics)
    return learn

def wds(k:int) -> list:
    import numpy as np
    return [0.] + list(np.logspace(-4, -1, k-1)) if k>1 else [1e-2]

def runs(learn, epochs:int) -> dict:
    "The timed runs, by name: (recipe, K or 'one', batched)"
    def cmp(k, b): return lambda: learn.compare_wd(wds(k), epochs, lr=3e-3, quiet=True, batched=b)
    def lrf(k, b): return lambda: learn.lr_find_wd(wds(k), show_plot=False, quiet=True, batched=b)
    return {'compare_wd': cmp, 'lr_find_wd': lrf}

def bare_loop(learn, k:int, epochs:int):
    "The arithmetic of a K-copy pass without fastai or this library: K stacked copies of the digits MLP (`baddbmm`), the same batches, torch's fused AdamW on the stacked tensors, a validation forward per epoch"
    import torch, torch.nn.functional as F
    dev = learn.dls.device
    batches = [[t.as_subclass(torch.Tensor) for t in b] for b in learn.dls.train]
    valid = [[t.as_subclass(torch.Tensor) for t in b] for b in learn.dls.valid]
    sizes = [batches[0][0].shape[1], 256, 256, learn.dls.c]  # the digits MLP of `learner`
    ws = []
    for a,b in zip(sizes, sizes[1:]): ws += [torch.randn(k, b, a, device=dev)*a**-0.5, torch.zeros(k, b, device=dev)]
    ws = [w.requires_grad_() for w in ws]
    opt = torch.optim.AdamW(ws, lr=3e-3, weight_decay=1e-2, fused=True)
    def fwd(x):
        h = x.expand(k, *x.shape)
        for i in range(0, len(ws), 2):
            h = torch.baddbmm(ws[i+1].unsqueeze(1), h, ws[i].transpose(1, 2))
            if i<len(ws)-2: h = torch.relu(h)
        return h
    for _ in range(epochs):
        for x,y in batches:
            (F.cross_entropy(fwd(x).reshape(-1, sizes[-1]), y.repeat(k), reduction='sum')/len(y)).backward()
            opt.step(); opt.zero_grad()
        with torch.no_grad():
            for x,y in valid: F.cross_entropy(fwd(x).reshape(-1, sizes[-1]), y.repeat(k))

def sync(device):
    import torch
    if device.startswith('cuda'): torch.cuda.synchronize()

def timing(args):
    learn = learner(args.model, args.device)
    rs = runs(learn, args.epochs)
    res = {}
    for rep in range(args.reps):  # alternated: every kind of run once per repetition
        for recipe,f in rs.items():
            jobs = [('one', f(1, False))] + [(f'K={k} batched', f(k, True)) for k in args.ks] + [(f'K={k} one run each', f(k, False)) for k in args.ks if k>1]
            if recipe=='compare_wd' and args.model=='mlp': jobs += [(f'K={k} bare', lambda k=k: bare_loop(learn, k, args.epochs)) for k in args.ks]
            for name,job in jobs:
                sync(args.device); t = time.perf_counter(); job(); sync(args.device)
                res.setdefault((recipe, name), []).append(time.perf_counter()-t)
    med = {k: statistics.median(v) for k,v in res.items()}
    fast = {k: min(v) for k,v in res.items()}  # the fastest repetition: the least disturbed by other work on a shared machine
    for recipe in rs:
        one = med[(recipe, 'one')]
        print(f"{recipe}: one run of one setting {one:.2f} s (median of {args.reps})")
        for k in args.ks:
            b = med[(recipe, f'K={k} batched')]
            s = med.get((recipe, f'K={k} one run each'), one)
            b_fast = fast[(recipe, f'K={k} batched')]/fast[(recipe, 'one')]
            # each repetition's pass against the one run of the same repetition, seconds apart: what the machine's load did to both
            paired = statistics.median([x/o for x,o in zip(res[(recipe, f'K={k} batched')], res[(recipe, 'one')])])
            print(f"  K={k:<3} batched {b:6.2f} s = {b/one:5.2f}x one run ({b/one/k:.2f} per setting) | {k} runs {s:6.2f} s = {s/one:5.2f}x | batched/runs {b/s:.2f}"
                  f" | median of paired ratios {paired:.2f}x | fastest of {args.reps}: {b_fast:.2f}x one run")
        if (recipe, f'K={args.ks[0]} bare') in med:
            print("  the arithmetic alone: a bare PyTorch loop over the same batches (K stacked copies, torch's fused AdamW, no fastai):")
            print('  ' + ' | '.join(f"K={k} {med[(recipe, f'K={k} bare')]/one:.2f}x one run" for k in args.ks))

def _rss() -> int:
    "Resident memory of this process now, in bytes"
    import os
    with open('/proc/self/statm') as f: return int(f.read().split()[1])*os.sysconf('SC_PAGE_SIZE')

def peak_during(f, device:str) -> tuple:
    "Run `f`; (memory before, peak while it ran): CUDA's allocator, or this process's resident memory sampled every ms"
    import threading, torch
    if device.startswith('cuda'):
        torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats(); base = torch.cuda.memory_allocated()
        f(); torch.cuda.synchronize()
        return base,torch.cuda.max_memory_allocated()
    base,peak,done = _rss(),[0],threading.Event()
    def watch():
        while not done.is_set(): peak[0] = max(peak[0], _rss()); time.sleep(0.001)
    t = threading.Thread(target=watch); t.start()
    try: f()
    finally: done.set(); t.join()
    return base,max(peak[0], _rss())

def memory(args):
    "Peak memory of one batched `compare_wd` pass of each K, each in a fresh process (after one single run there, so that the allocator is warm)"
    for k in args.ks:
        code = (f"import sys, json; sys.argv=['x']; sys.path.insert(0, 'bench'); import batched_cost as b\n"
                f"learn = b.learner({args.model!r}, {args.device!r}); learn.compare_wd([0.], 1, lr=3e-3, quiet=True, batched=False)\n"
                f"base,peak = b.peak_during(lambda: learn.compare_wd(b.wds({k}), {args.epochs}, lr=3e-3, quiet=True, batched=True), {args.device!r})\n"
                f"print(json.dumps(dict(base=base, peak=peak)))")
        r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
        if r.returncode: print(f"  K={k}: failed: {r.stderr.strip().splitlines()[-1]}"); continue
        m = json.loads(r.stdout.strip().splitlines()[-1])
        kind = 'CUDA memory' if args.device.startswith('cuda') else 'resident memory'
        print(f"  K={k:<3} compare_wd pass: {kind} peak {m['peak']/2**20:7.1f} MiB, {(m['peak']-m['base'])/2**20:+7.1f} MiB over the start of the pass")

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cpu'); p.add_argument('--model', default='mlp', choices=['mlp', 'cnn'])
    p.add_argument('--ks', type=int, nargs='+', default=[1, 4, 8, 16]); p.add_argument('--reps', type=int, default=3)
    p.add_argument('--epochs', type=int, default=1); p.add_argument('--threads', type=int, default=None)
    p.add_argument('--no-memory', action='store_true')
    args = p.parse_args()
    import torch
    if args.threads: torch.set_num_threads(args.threads)
    print(f"device {args.device}, model {args.model} on digits, torch threads {torch.get_num_threads()}, epochs {args.epochs}")
    timing(args)
    if not args.no_memory:
        print("peak memory per batched pass:")
        memory(args)
