"""`wdcourse-compare`, the main job, run as the console script a user runs after `pip install -e .`"""
import re, shutil, subprocess, sys
import numpy as np, pandas as pd
import pytest

def _cmd():
    exe = shutil.which('wdcourse-compare')
    assert exe, "wdcourse-compare is not on PATH: pip install -e . installs it"
    return [exe]

def run(*args, cwd=None):
    return subprocess.run([*_cmd(), *args], capture_output=True, text=True, cwd=cwd, timeout=600)

def test_default_job_writes_plots_and_results(tmp_path):
    "No arguments, no network: the README's main job, in a temp folder"
    r = run('--quiet', cwd=tmp_path)
    assert r.returncode==0, r.stderr
    out = tmp_path/'wdcourse-out'
    for f in ('lr_find_wd.png', 'compare_wd.png'):
        assert (out/f).read_bytes()[:8]==b'\x89PNG\r\n\x1a\n' and (out/f).stat().st_size>10_000, f
    res = pd.read_csv(out/'results.csv')
    assert res.wd.tolist()==[0, 1e-2, 1e-1, 1]
    assert {'dataset', 'wd', 'lr_max', 'train_loss', 'valid_loss', 'accuracy', 'weight_norm', 'wd_ratio',
            'timescale_epochs', 'diverged', 'lr_find_valley'} <= set(res.columns)
    assert not res.diverged.any() and (res.accuracy>0.5).all() and (res.epochs==40).all() and (res.lr_max==1e-2).all()
    # the default job shows what weight decay does (it showed nothing: every wd within 0.6%): a lower valid loss, smaller weights
    assert res.valid_loss.min() < 0.9*res.valid_loss[0] and res.weight_norm.iloc[-1] < 0.8*res.weight_norm[0], res
    best = res.loc[res.valid_loss.idxmin()]
    assert f"lowest valid loss: wd={best.wd:g}, {best.valid_loss:.4g} against {res.valid_loss[0]:.4g} at wd=0" in r.stdout, r.stdout
    assert 'lr_find_valley' in r.stdout and 'written to' in r.stdout
    # the default runs each recipe's settings in one batched pass, and says so with its time
    assert re.search(r'^lr_find_wd: 4 settings in one batched pass, [0-9.]+ s$', r.stdout, re.M), r.stdout
    assert re.search(r'^compare_wd: 4 settings in one batched pass, [0-9.]+ s$', r.stdout, re.M), r.stdout
    assert sorted(p.name for p in tmp_path.iterdir())==['wdcourse-out']  # no stray models/ folder

def test_grid_and_ratings(tmp_path):
    r = run('--dataset', 'ratings', '--wds', '0', '0.1', '--lr', '5e-3', '--lrs', '5e-3,2e-2', '--epochs', '1',
            '--grid', '--out', str(tmp_path/'o'), '--quiet')
    assert r.returncode==0, r.stderr
    g = pd.read_csv(tmp_path/'o'/'lr_wd_grid.csv')
    assert sorted(set(zip(g.lr, g.wd)))==[(5e-3, 0), (5e-3, 0.1), (2e-2, 0), (2e-2, 0.1)]
    assert {'valid_loss', 'train_loss', 'mode', 'diverged'} <= set(g.columns)
    assert (tmp_path/'o'/'lr_wd_grid.png').stat().st_size>10_000
    assert 'lr_wd_grid: 4 settings in one batched pass' in r.stdout, r.stdout
    best = g.groupby(['lr', 'wd']).valid_loss.last().idxmin()
    assert f"lr_wd_grid: lowest valid loss at lr={best[0]:g}, wd={best[1]:g}" in r.stdout, r.stdout
    assert 'Warning' not in r.stderr, r.stderr  # nothing a user of the command can act on (fastai's tensors from pandas' read-only arrays)

def test_no_batched_gives_the_same_results(tmp_path):
    "`--no-batched` runs one fit per setting, says so, and writes the table of the batched run (to float rounding)"
    args = ['--wds', '0', '0.1', '--epochs', '1', '--lr', '3e-3', '--quiet']
    rb,rs = run(*args, '--out', str(tmp_path/'b')),run(*args, '--no-batched', '--out', str(tmp_path/'s'))
    assert rb.returncode==0 and rs.returncode==0, (rb.stderr, rs.stderr)
    assert 'compare_wd: 2 settings one run each' in rs.stdout and 'compare_wd: 2 settings in one batched pass' in rb.stdout
    b,s = pd.read_csv(tmp_path/'b'/'results.csv'),pd.read_csv(tmp_path/'s'/'results.csv')
    num = ['train_loss', 'valid_loss', 'accuracy', 'weight_norm', 'lr_find_valley']
    assert np.allclose(b[num].values, s[num].values, rtol=1e-3, atol=0)

def test_seeds_end_to_end(tmp_path):
    "`--seeds`: every setting once per seed in one pass, the summary with sds, the history per seed, and the noise verdict printed"
    r = run('--wds', '0', '0.1', '--epochs', '2', '--lr', '3e-3', '--seeds', '0', '1', '2', '--quiet', '--out', str(tmp_path/'o'))
    assert r.returncode==0, r.stderr
    assert 'compare_wd: 2 settings x 3 seeds in one batched pass' in r.stdout, r.stdout
    res,h = pd.read_csv(tmp_path/'o'/'results.csv'),pd.read_csv(tmp_path/'o'/'compare_wd_history.csv')
    assert res.wd.tolist()==[0, 0.1] and (res.seeds==3).all() and (res.valid_loss_sd>0).all(), res
    last = h.groupby(['wd', 'seed']).tail(1)
    assert sorted(set(zip(last.wd, last.seed)))==[(w, s) for w in (0, 0.1) for s in (0, 1, 2)]
    assert np.allclose(res.valid_loss_sd, last.groupby('wd').valid_loss.std().values)
    assert re.search(r'^best valid_loss: wd=\S+ \([\d.]+, mean of 3 seeds\), ahead of .* per seed .*: (beyond|within) the noise', r.stdout, re.M), r.stdout
    assert 'pass --seeds' not in r.stdout

@pytest.mark.parametrize('args,option', [(['--epochs', '0'], '--epochs'), (['--epochs', 'x'], '--epochs'),
    (['--wds', '0', 'abc'], '--wds'), (['--wds', 'nan'], '--wds'), (['--lrs', '-1'], '--lrs'), (['--dataset', 'mnist'], '--dataset'),
    (['--device', 'nope'], '--device'), (['--lr', '0'], '--lr'), (['--seed', '-3'], '--seed'), (['--bogus'], '--bogus'),
    (['--n-train', '5000'], '--n-train'), (['--lrs', '1e-3'], '--lrs'), (['--seeds', '1', '1'], '--seeds'), (['--seeds', 'x'], '--seeds'),
    (['--seeds', '0', '-2'], '--seeds'), (['--seeds', '0.5'], '--seeds')])
def test_bad_option_is_one_line_naming_it_exit_2(tmp_path, capsys, args, option):
    "`cli` is what the console script calls; in this process, so that each case costs no fastai import"
    from wdcourse.cli import cli
    with pytest.raises(SystemExit) as e: cli([*args, '--out', str(tmp_path/'o')])
    assert e.value.code==2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines)==1 and lines[0].startswith('wdcourse-compare: error:') and option in lines[0], lines
    assert not (tmp_path/'o').exists()  # nothing ran

def test_bad_option_from_the_console_script(tmp_path):
    f = tmp_path/'file'; f.write_text('x')
    r = run('--out', str(f))
    assert r.returncode==2 and r.stderr.strip()==f'wdcourse-compare: error: --out: {f} is a file, not a folder'

@pytest.mark.parametrize('out', ['/proc/nope', '/proc/nope/deeper'])
def test_out_folder_that_cannot_be_made(capsys, out):
    "A folder the job cannot make is a one-line error naming --out and exit 2, like the other bad options (was a traceback, exit 1)"
    from wdcourse.cli import cli
    with pytest.raises(SystemExit) as e: cli(['--out', out])
    assert e.value.code==2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines)==1 and lines[0].startswith(f'wdcourse-compare: error: --out: cannot make the folder {out}'), lines
