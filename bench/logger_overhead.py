"""Median step time with and without `WeightDecayStats` (every step, per group), measured in one run.

Prints the ratio with/without for the digits MLP on the CPU, and for a small CNN on CUDA when there is
one. Runs alternate (without, with, without, ...) so that drift of the machine hits both alike.
Target: ratio <= 1.03.  Usage: python bench/logger_overhead.py [--reps 5] [--epochs 2]
"""
import argparse, statistics, time
import torch
from torch import nn
from fastai.basics import Callback, Learner, CrossEntropyLossFlat
from wdcourse.data import digits_learner, digits_dls
from wdcourse.callbacks import WeightDecayStats

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

def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(32), nn.Conv2d(32, 64, 3, padding=1),
                         nn.ReLU(), nn.BatchNorm2d(64), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))

def make(kind, with_cb, device):
    cbs = [StepTimer()] + ([WeightDecayStats()] if with_cb else [])
    if kind=='mlp': return digits_learner(bs=64, cbs=cbs, wd=0.1, device=device)
    dls = digits_dls(bs=64, flat=False, device=device)
    torch.manual_seed(0)
    return Learner(dls, cnn(), loss_func=CrossEntropyLossFlat(), cbs=cbs, wd=0.1)

def median_step(kind, with_cb, device, epochs):
    learn = make(kind, with_cb, device)
    with learn.no_bar(), learn.no_logging(): learn.fit(epochs, 1e-3)
    return statistics.median(learn.step_timer.times[5:])  # the first steps warm up

def bench(kind, device, reps, epochs):
    median_step(kind, True, device, 1)  # warm-up: imports, allocator, kernels
    without,with_ = [],[]
    for _ in range(reps):
        without.append(median_step(kind, False, device, epochs))
        with_.append(median_step(kind, True, device, epochs))
    w0,w1 = statistics.median(without),statistics.median(with_)
    print(f"{kind} on {device}: median step {w0*1e3:.3f} ms without, {w1*1e3:.3f} ms with WeightDecayStats: ratio {w1/w0:.3f}")
    return w1/w0

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--reps', type=int, default=5); p.add_argument('--epochs', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    bench('mlp', 'cpu', a.reps, a.epochs)
    if torch.cuda.is_available(): bench('cnn', 'cuda', a.reps, a.epochs)
    else: print('no CUDA device: CNN benchmark skipped')
