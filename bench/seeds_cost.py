"""What noise bands cost: `compare_wd` and `lr_find_wd` with 2 weight decays x 4 seeds (8 copies) in one batched pass,
against one run of one setting, the runs alternated in one process (median of `--reps`, and the median of each
repetition's own ratio: on a shared machine the load changes from one repetition to the next).

    python bench/seeds_cost.py                      # digits MLP on the CPU
    python bench/seeds_cost.py --device cuda

Target (issue 25): on the CPU, 2 wds x 4 seeds batched <= 2.4x one run (the bound of K=8 settings without seeds).
"""
import argparse, statistics, time, warnings
warnings.filterwarnings('ignore')

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cpu'); p.add_argument('--reps', type=int, default=5)
    p.add_argument('--epochs', type=int, default=1); p.add_argument('--seeds', type=int, default=4)
    args = p.parse_args()
    from wdcourse.data import digits_learner
    import wdcourse.recipes  # Learner.compare_wd, Learner.lr_find_wd
    learn = digits_learner(device=args.device)
    seeds = list(range(args.seeds))
    runs = {('compare_wd', 'one'): lambda: learn.compare_wd([1e-2], args.epochs, lr=3e-3, quiet=True),
            ('compare_wd', 'seeds'): lambda: learn.compare_wd([0, 1e-2], args.epochs, lr=3e-3, quiet=True, seeds=seeds),
            ('lr_find_wd', 'one'): lambda: learn.lr_find_wd([1e-2], show_plot=False, quiet=True),
            ('lr_find_wd', 'seeds'): lambda: learn.lr_find_wd([0, 1e-2], show_plot=False, quiet=True, seeds=seeds)}
    for f in runs.values(): f()  # warm-up
    ts = {k: [] for k in runs}
    for _ in range(args.reps):  # alternated: every kind of run once per repetition
        for k,f in runs.items():
            t = time.perf_counter(); res = f(); ts[k].append(time.perf_counter()-t)
            assert k[1]=='one' or res.batched
    for recipe in ('compare_wd', 'lr_find_wd'):
        one,many = ts[(recipe, 'one')],ts[(recipe, 'seeds')]
        paired = statistics.median(m/o for m,o in zip(many, one))
        print(f"{recipe} on {args.device}: one run {statistics.median(one):.3f} s, 2 wds x {args.seeds} seeds in one pass "
              f"{statistics.median(many):.3f} s = {statistics.median(many)/statistics.median(one):.2f}x one run "
              f"(median of paired ratios {paired:.2f}x; runs {', '.join(f'{m/o:.2f}' for m,o in zip(many, one))})")

if __name__=='__main__': main()
