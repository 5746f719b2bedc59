"""Median step time with and without `WeightDecayStats` (every step, per group), measured in one run.

Prints the ratio with/without for the digits MLP on the CPU, and for a small CNN on CUDA when there is
one. One Learner per model: its epochs alternate without and with the callback (added and removed
between fits), so both see the same tensors, the same memory and the same drift of the machine.
It also prints how much of the extra time is the arithmetic itself (`_step_stats`: one read of the
weights and gradients), the rest being Python and fastai's callback dispatch.
Target: ratio <= 1.03.  Usage: python bench/logger_overhead.py [--reps 15]
"""
import argparse, statistics, time
import torch
from torch import nn
from fastai.basics import Callback, Learner, CrossEntropyLossFlat
from wdcourse.data import digits_learner, digits_dls
import wdcourse.callbacks as wcb

class StepTimer(Callback):
    "Wall time of each training batch, from `before_batch` to `after_batch` (synchronized on CUDA)"
    order = 100
    def before_fit(self): self.times = []
    def _sync(self):
        if self.dls.device is not None and torch.device(self.dls.device).type=='cuda': torch.cuda.synchronize()
    def before_batch(self):
        if self.training: self._sync(); self.t0 = time.perf_counter()
    def after_batch(self):
        if self.training: self._sync(); self.times.append(time.perf_counter()-self.t0)

class KernelTimer:
    "Wraps `wdcourse.callbacks._step_stats` to time it (synchronized on CUDA)"
    def __init__(self, f, cuda): self.f,self.cuda,self.times = f,cuda,[]
    def __call__(self, *args):
        if self.cuda: torch.cuda.synchronize()
        t0 = time.perf_counter()
        res = self.f(*args)
        if self.cuda: torch.cuda.synchronize()
        self.times.append(time.perf_counter()-t0)
        return res

def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(32), nn.Conv2d(32, 64, 3, padding=1),
                         nn.ReLU(), nn.BatchNorm2d(64), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))

def make(kind, device):
    if kind=='mlp': return digits_learner(bs=64, cbs=StepTimer(), wd=0.1, device=device)
    dls = digits_dls(bs=64, flat=False, device=device)
    torch.manual_seed(0)
    return Learner(dls, cnn(), loss_func=CrossEntropyLossFlat(), cbs=StepTimer(), wd=0.1)

def epoch_median(learn, with_cb):
    cb = wcb.WeightDecayStats() if with_cb else None
    if cb is not None: learn.add_cb(cb)
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-4)
    if cb is not None: learn.remove_cb(cb)
    return statistics.median(learn.step_timer.times[3:])  # the first steps of a fit warm up

def bench(kind, device, reps):
    learn = make(kind, device)
    kt = wcb._step_stats = KernelTimer(wcb._step_stats.f if isinstance(wcb._step_stats, KernelTimer) else wcb._step_stats, device=='cuda')
    epoch_median(learn, True); epoch_median(learn, False)  # warm-up: allocator, kernels, caches
    kt.times = []
    without,with_ = [],[]
    for _ in range(reps):
        without.append(epoch_median(learn, False))
        with_.append(epoch_median(learn, True))
    w0,w1 = statistics.median(without),statistics.median(with_)
    paired = statistics.median([b/a for a,b in zip(without, with_)])
    k = statistics.median(kt.times)
    print(f"{kind} on {device}: median step {w0*1e3:.3f} ms without, {w1*1e3:.3f} ms with WeightDecayStats: "
          f"ratio {w1/w0:.3f} (median of paired ratios {paired:.3f}); extra {(w1-w0)*1e6:.0f} us per step, "
          f"of which the norms and dot products {k*1e6:.0f} us")
    return w1/w0

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--reps', type=int, default=15)
    a = p.parse_args()
    bench('mlp', 'cpu', a.reps)
    if torch.cuda.is_available(): bench('cnn', 'cuda', a.reps)
    else: print('no CUDA device: CNN benchmark skipped')
