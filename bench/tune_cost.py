"""What batching buys a search: `tune_lr_wd` with 32 trials asked 8 at a time, each round one batched pass, against the
same 32 trials run one fit each (`batched=False`), alternated in one process (median of `--reps`, and the median of each
repetition's own ratio: on a shared machine the load changes from one repetition to the next). Both runs sample from a
TPE sampler with the same seed; the one-by-one run gets the batched run's trials enqueued, so both train the same settings.

    python bench/tune_cost.py                      # digits MLP on the CPU, 3 epochs per trial
    python bench/tune_cost.py --device cuda

Target (issue 29): 32 trials with k=8 batched >= 3x faster than one by one.
"""
import argparse, statistics, time, warnings
warnings.filterwarnings('ignore')

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cpu'); p.add_argument('--reps', type=int, default=3)
    p.add_argument('--trials', type=int, default=32); p.add_argument('--k', type=int, default=8)
    p.add_argument('--epochs', type=int, default=3)
    args = p.parse_args()
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    from wdcourse.data import digits_learner
    from wdcourse.tune import TuneLRWD  # Learner.tune_lr_wd
    learn = digits_learner(device=args.device)
    kw = dict(lr=(1e-3, 1e-1), wd=(1e-3, 3.), epochs=args.epochs, k=args.k, quiet=True)
    def batched():
        return learn.tune_lr_wd(args.trials, sampler=optuna.samplers.TPESampler(seed=0, constant_liar=True), **kw)
    def one_by_one(trials):
        st = optuna.create_study()
        for _,r in trials.iterrows(): st.enqueue_trial(dict(lr=float(r.lr), wd=float(r.wd)))
        return learn.tune_lr_wd(args.trials, study=st, batched=False, **kw)
    ref = batched(); one_by_one(ref.trials)  # warm-up, and the trials both train
    tb,to = [],[]
    for _ in range(args.reps):
        t = time.perf_counter(); res = batched(); tb.append(time.perf_counter()-t)
        t = time.perf_counter(); one = one_by_one(res.trials); to.append(time.perf_counter()-t)
    d = abs(one.trials.valid_loss - res.trials.valid_loss).max()
    paired = statistics.median(o/b for o,b in zip(to, tb))
    print(f"tune_lr_wd on {args.device}: {args.trials} trials, k={args.k}, {args.epochs} epochs each: batched {statistics.median(tb):.2f} s, "
          f"one by one {statistics.median(to):.2f} s = {statistics.median(to)/statistics.median(tb):.2f}x faster batched "
          f"(median of paired ratios {paired:.2f}x; runs {', '.join(f'{o/b:.2f}' for o,b in zip(to, tb))}); "
          f"largest difference of a trial's value {d:.2g}")

if __name__=='__main__': main()
