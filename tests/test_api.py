"""The public API end to end, as a user's script would call it.

It needs no nbdev, so it also runs where nbdev 2 cannot: with the newest fastai and fastcore 2
(`pip install -U fastai "fastcore>=2"` in a virtual environment, then `pytest tests/test_api.py`).
"""
from functools import partial
import numpy as np, torch
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from fastai.basics import Learner, MSELossFlat, SGD, Adam, OptimWrapper
from fastai.callback.schedule import fit_one_cycle  # patches Learner
from wdcourse.core import wd_mode, wd_groups, penalty, decay_factor, wd_timescale
from wdcourse.data import digits_learner, ratings_dls, DotProductBias, synth_ratings
from wdcourse.callbacks import WeightDecayStats, L2Penalty, wd_splitter

def quiet_fit(learn, *args, one_cycle=False, **kwargs):
    with learn.no_logging():
        (learn.fit_one_cycle if one_cycle else learn.fit)(*args, **kwargs)

def test_modes_and_groups():
    w = torch.nn.Parameter(torch.randn(3))
    assert [wd_mode(Adam([w], lr=1e-3, decouple_wd=d)) for d in (True, False)]==['decoupled', 'l2']
    assert wd_mode(OptimWrapper([w], torch.optim.AdamW))=='decoupled'
    learn = digits_learner(n_train=64, bs=32, hidden=(8,), bn=True)
    g, = wd_groups(learn)
    assert g.do_wd.count(True)==2  # the two Linear weights; biases and BatchNorm skipped (wd_bn_bias=False)
    assert abs(decay_factor(0.1, 0.01) - 0.999)<1e-12 and wd_timescale(0.1, 0.01)==1000
    assert torch.isclose(penalty(w, 0.2, 'book'), 2*penalty(w, 0.2))

def test_weight_decay_stats_in_a_fit():
    learn = digits_learner(n_train=128, bs=32, cbs=WeightDecayStats(per_layer=True, recorder_cols=True), wd=0.1)
    quiet_fit(learn, 2, 3e-3, one_cycle=True)
    cb = learn.weight_decay_stats
    df = cb.df
    assert len(df)==2*len(learn.dls.train) and set(df['mode'])=={'decoupled'}
    np.testing.assert_allclose(df.wd_grad_norm, df.wd*df.weight_norm, rtol=1e-6)
    assert df.cos.between(-1, 1).all() and (df.ratio>0).all()
    assert len(cb.summary())==2 and set(cb.layer_df.layer)=={n for n,_ in learn.model.named_parameters()}
    assert isinstance(cb.plot(), plt.Figure) and isinstance(cb.plot_layers(), plt.Figure)
    assert 'wd_ratio' in learn.recorder.metric_names
    plt.close('all')

def test_l2_penalty_is_fastai_l2_with_twice_the_wd():
    def run(cbs, wd):
        learn = digits_learner(n_train=64, bs=32, cbs=cbs, opt_func=partial(SGD, mom=0, decouple_wd=False))
        quiet_fit(learn, 1, 0.1, wd=wd)
        return torch.cat([p.detach().flatten() for p in learn.model.parameters()])
    torch.testing.assert_close(run([L2Penalty(0.05)], 0.), run([], 0.1), rtol=1e-5, atol=1e-6)

def test_torch_optimizer_with_wd_splitter():
    learn = digits_learner(n_train=64, bs=32, hidden=(8,), bn=True, cbs=WeightDecayStats(),
                           opt_func=partial(OptimWrapper, opt=torch.optim.AdamW), splitter=wd_splitter(0.1))
    quiet_fit(learn, 1, 1e-3)
    assert learn.weight_decay_stats.df.groupby('group').wd.first().tolist()==[0.1, 0.]

def test_ratings_model_trains():
    dls = ratings_dls(synth_ratings(n_users=50, n_items=60, density=0.3), bs=64)
    learn = Learner(dls, DotProductBias.from_dls(dls, n_factors=8), loss_func=MSELossFlat())
    quiet_fit(learn, 3, 5e-3, wd=0.1, one_cycle=True)
    losses = [v[1] for v in learn.recorder.values]
    assert losses[-1] < losses[0]

def test_recipes_leave_the_learner_as_it_was():
    from fastai.callback.progress import CSVLogger
    import tempfile, pathlib
    import wdcourse.recipes  # patches Learner
    with tempfile.TemporaryDirectory() as d:
        learn = digits_learner(n_train=128, bs=32, cbs=CSVLogger(), path=d)
        quiet_fit(learn, 1, 1e-3, wd=0.1)
        log = (pathlib.Path(d)/'history.csv').read_text()
        w = [p.detach().clone() for p in learn.model.parameters()]
        opt_state = repr(learn.opt.state_dict())
        rng, cbs = torch.get_rng_state(), list(learn.cbs)
        lf = learn.lr_find_wd([0, 0.1], num_it=20, quiet=True, show_plot=False)
        cmp = learn.compare_wd([0, 0.1], 1, lr=1e-3, quiet=True)
        grid = learn.lr_wd_grid([1e-3, 1e-2], [0, 0.1], 1, quiet=True)
        assert all(torch.equal(a, b) for a,b in zip(w, learn.model.parameters()))
        assert repr(learn.opt.state_dict())==opt_state and learn.wd is None  # fit's wd went to the optimizer only
        assert torch.equal(torch.get_rng_state(), rng) and all(a is b for a,b in zip(cbs, learn.cbs)) and len(cbs)==len(learn.cbs)
        assert (pathlib.Path(d)/'history.csv').read_text()==log
    assert len(lf.suggestions)==2 and len(cmp.summary)==2 and grid.pivot.shape==(2, 2)
    for fig in (lf.plot(), cmp.plot(), grid.plot()): assert isinstance(fig, plt.Figure)
    plt.close('all')
