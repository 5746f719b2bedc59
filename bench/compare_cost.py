"""Wall time of `Learner.lr_find_wd(batched=False)` with K = 1, 4, 8 weight decays, as a ratio to one plain `lr_find`.

With `batched=False` the recipes run one `lr_find` per setting, from the same weights, optimizer state and random state;
this prints what that costs next to a single `lr_find` on the same Learner: the baseline that the batched pass (the
default, several settings in one pass) must beat; `bench/batched_cost.py` measures that one. Runs alternate with the plain `lr_find`, and
each time is the median of --reps runs. Usage: python bench/compare_cost.py [--reps 3] [--num-it 100] [--device cpu]
"""
import argparse, statistics, time
import torch
from wdcourse.data import digits_learner
import wdcourse.recipes  # patches Learner.lr_find_wd

def timed(f):
    if torch.cuda.is_available(): torch.cuda.synchronize()
    t0 = time.perf_counter(); f()
    if torch.cuda.is_available(): torch.cuda.synchronize()
    return time.perf_counter()-t0

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--reps', type=int, default=3); p.add_argument('--num-it', type=int, default=100)
    p.add_argument('--device', default=None)
    a = p.parse_args()
    learn = digits_learner(bs=64, device=a.device)
    wds = [0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1]
    def plain():
        with learn.no_bar(), learn.no_logging(): learn.lr_find(num_it=a.num_it, show_plot=False)
    def sweep(k): return lambda: learn.lr_find_wd(wds[:k], num_it=a.num_it, show_plot=False, quiet=True, batched=False)
    plain(); sweep(1)()  # warm-up
    base,times = [],{k: [] for k in (1, 4, 8)}
    for _ in range(a.reps):
        for k in times:
            base.append(timed(plain))
            times[k].append(timed(sweep(k)))
    b = statistics.median(base)
    print(f"digits MLP on {learn.dls.device}, num_it={a.num_it}: one lr_find {b:.3f} s")
    for k,t in times.items():
        m = statistics.median(t)
        print(f"lr_find_wd with K={k}: {m:.3f} s = {m/b:.2f}x one lr_find ({m/b/k:.2f}x per setting)")
