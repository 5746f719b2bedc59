"""Median step time with and without `WeightDecayStats` (every step, per group), measured in one run.

Prints the ratio with/without for the digits MLP on the CPU, and for a small CNN on CUDA when there is one.
The design is paired: in one long fit, the callback is attached on every other training step and detached
on the others (a `Toggle` callback removes and re-adds it after a batch, outside the timed window), so the
steps with and without it see the same data, weights, memory and drift of the machine. The phase flips
every epoch, and the first batch of each epoch (the data loader starting) is left out.
It prints the ratio of the medians, the median of the ratios of neighbouring steps, an A/A check (the
same split of steps when the callback is never attached: it should read 1.000), and, from a separate fit, the
time of the callback's two step events and how much of it is the arithmetic itself (`tensor_stats` of every
tensor), the rest being Python; what the extra time has beyond the step events is fastai's dispatch.
Target: ratio <= 1.06.  Usage: python bench/logger_overhead.py [--epochs 150]
"""
import argparse, time
import numpy as np, torch
from torch import nn
from fastai.basics import Callback, Learner, CrossEntropyLossFlat
from fastai.callback.progress import *
from wdcourse.data import digits_learner, digits_dls
import wdcourse.callbacks as wcb

class StepTimer(Callback):
    "Wall time of each training batch, from `before_batch` to `after_batch` (synchronized on CUDA), and whether the logger was attached"
    order = 100
    def __init__(self, wds=None): self.wds = wds
    def before_fit(self): self.times,self.on,self.iters,self.epochs = [],[],[],[]
    def _sync(self):
        if self.dls.device is not None and torch.device(self.dls.device).type=='cuda': torch.cuda.synchronize()
    def before_batch(self):
        if self.training: self._sync(); self.t0 = time.perf_counter()
    def after_batch(self):
        if not self.training: return
        self._sync(); self.times.append(time.perf_counter()-self.t0)
        self.on.append(self.wds is not None and self.wds.learn is self.learn)
        self.iters.append(self.iter); self.epochs.append(self.epoch)

class Toggle(Callback):
    "After each training batch, attach `wds` for the next batch when (its index in the epoch + epoch) is odd, detach it otherwise"
    order = 101
    def __init__(self, wds, active=True): self.wds,self.active = wds,active
    def after_batch(self):
        if not (self.training and self.active): return
        want = (self.iter + 1 + self.epoch) % 2 == 1
        has = self.wds.learn is self.learn
        if want and not has: self.learn.add_cb(self.wds)
        elif has and not want: self.learn.remove_cb(self.wds)

class KernelTimer:
    "Wraps `WeightDecayStats.tensor_stats` to time it (synchronized on CUDA), summed over the tensors of each step"
    def __init__(self, f, cuda): self.f,self.cuda,self.times = f,cuda,[]
    def __call__(self, *args):
        if self.cuda: torch.cuda.synchronize()
        t0 = time.perf_counter()
        res = self.f(*args)
        if self.cuda: torch.cuda.synchronize()
        self.times[-1] += time.perf_counter()-t0
        return res

def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(32), nn.Conv2d(32, 64, 3, padding=1),
                         nn.ReLU(), nn.BatchNorm2d(64), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))

def make(kind, device, cbs):
    if kind=='mlp': return digits_learner(bs=64, cbs=cbs, wd=0.1, device=device)
    dls = digits_dls(bs=64, flat=False, device=device)
    torch.manual_seed(0)
    return Learner(dls, cnn(), loss_func=CrossEntropyLossFlat(), cbs=cbs, wd=0.1)

def split(timer):
    "Step times with and without the logger, and the ratios of neighbouring (with, without) steps"
    t,on,it = np.array(timer.times),np.array(timer.on),np.array(timer.iters)
    keep = it>0  # the first batch of an epoch also starts the data loader
    pairs = [t[i]/t[i+1] if on[i] else t[i+1]/t[i] for i in range(len(t)-1) if keep[i] and keep[i+1] and on[i]!=on[i+1]]
    return t[keep&on],t[keep&~on],np.array(pairs)

def run(kind, device, epochs, attach):
    wds = wcb.WeightDecayStats()
    timer = StepTimer(wds)
    learn = make(kind, device, [timer, Toggle(wds, active=attach)] + ([wds] if attach else []))
    with learn.no_bar(), learn.no_logging(): learn.fit(epochs, 1e-4)
    if not attach: timer.on = [(i + e) % 2 == 1 for i,e in zip(timer.iters, timer.epochs)]  # A/A: the same split, never attached
    return split(timer)

def kernel_time(kind, device, epochs):
    """Median time of the callback's arithmetic (`tensor_stats` of every tensor of a step), and of its two step events (host
    time, Python included), from a fit of its own: the timers would slow the timed steps (the kernel's synchronizes on CUDA)"""
    cls = wcb.WeightDecayStats
    orig = cls.tensor_stats,cls.before_step,cls.after_step
    kt = KernelTimer(orig[0], device=='cuda')
    own = []
    def before_step(self):
        kt.times.append(0.)
        t0 = time.perf_counter(); orig[1](self); self._t = time.perf_counter()-t0
    def after_step(self):
        t0 = time.perf_counter(); orig[2](self); own.append(self._t + time.perf_counter()-t0)
    cls.tensor_stats,cls.before_step,cls.after_step = lambda self, *a: kt(self, *a),before_step,after_step
    try: run(kind, device, epochs, True)
    finally: cls.tensor_stats,cls.before_step,cls.after_step = orig
    return np.median(kt.times),np.median(own)

def bench(kind, device, epochs):
    run(kind, device, 2, True)  # warm-up: allocator, kernels, caches
    aa_on,aa_off,_ = run(kind, device, max(epochs//3, 10), False)
    on,off,pairs = run(kind, device, epochs, True)
    k,own = kernel_time(kind, device, max(epochs//10, 5))
    w0,w1 = np.median(off),np.median(on)
    print(f"{kind} on {device}: median step {w0*1e3:.3f} ms without, {w1*1e3:.3f} ms with WeightDecayStats "
          f"({len(on)} and {len(off)} steps): ratio {w1/w0:.3f}, median of paired ratios {np.median(pairs):.3f}; "
          f"A/A check {np.median(aa_on)/np.median(aa_off):.3f}; extra {(w1-w0)*1e6:.0f} us per step. In a fit of its own: "
          f"its two step events take {own*1e6:.0f} us, of which the norms and dot products {k*1e6:.0f} us "
          f"(the rest of the extra is fastai calling one more callback at each event)")
    return w1/w0

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=150)
    a = p.parse_args()
    bench('mlp', 'cpu', a.epochs)
    if torch.cuda.is_available(): bench('cnn', 'cuda', a.epochs)
    else: print('no CUDA device: CNN benchmark skipped')
