"""`wdcourse-tune`, run as the console script: several processes share one study through Optuna's storage"""
import shutil, subprocess, sys
import pandas as pd
import pytest

optuna = pytest.importorskip('optuna')  # the `tune` extra; the dev extra installs it

def _tune(*args, cwd):
    exe = shutil.which('wdcourse-tune')
    assert exe, "wdcourse-tune is not on PATH: pip install -e . installs it"
    return subprocess.Popen([exe, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

def test_two_processes_share_one_sqlite_study(tmp_path):
    "Two processes, same storage and study name, 6 trials each: the study ends with 12, none lost, none told twice"
    db = f"sqlite:///{tmp_path/'tune.db'}"
    common = ['--n-trials', '6', '--k', '3', '--epochs', '1', '--n-train', '200', '--storage', db, '--study-name', 'shared', '--quiet']
    ps = [_tune(*common, '--out', f'out{i}', cwd=tmp_path) for i in range(2)]
    outs = [p.communicate(timeout=600) for p in ps]
    for p,(out,err) in zip(ps, outs): assert p.returncode==0, err
    st = optuna.load_study(study_name='shared', storage=db)
    nums = sorted(t.number for t in st.trials)
    assert nums==list(range(12)), nums
    assert all(t.state.name=='COMPLETE' for t in st.trials), [t.state.name for t in st.trials]
    assert len({(t.params['lr'], t.params['wd']) for t in st.trials})==12  # each process asked its own trials
    # each process wrote the study as it saw it when it ended: the last one to end saw all 12
    seen = sorted(len(pd.read_csv(tmp_path/f'out{i}'/'tune_trials.csv')) for i in range(2))
    assert seen[-1]==12 and seen[0]>=6, seen
    assert any("the study 'shared' in" in out and 'has 12' in out for out,_ in outs), outs
    # a third run with the same two goes on with the study
    p = _tune('--n-trials', '3', '--k', '3', '--epochs', '1', '--n-train', '200', '--storage', db, '--study-name', 'shared', '--quiet', cwd=tmp_path)
    out,err = p.communicate(timeout=600)
    assert p.returncode==0, err
    assert "going on with the study 'shared'" in out and '12 trials in it' in out, out
    assert len(optuna.load_study(study_name='shared', storage=db).trials)==15

def test_ctrl_c_keeps_what_was_told(tmp_path):
    "Ctrl-C (SIGINT) after a few rounds: exit code 130 and no traceback; the study holds the told trials, none left RUNNING; the files are written"
    import signal, time
    db = f"sqlite:///{tmp_path/'tune.db'}"
    p = _tune('--n-trials', '400', '--k', '2', '--epochs', '1', '--n-train', '200', '--storage', db, '--study-name', 's',
              '--quiet', '--no-batched', cwd=tmp_path)
    t = time.time()
    while time.time()-t < 300:
        time.sleep(1)
        try: st = optuna.load_study(study_name='s', storage=db)
        except Exception: continue  # not made yet
        if sum(x.state.name=='COMPLETE' for x in st.trials) >= 4: break
    p.send_signal(signal.SIGINT)
    out,err = p.communicate(timeout=120)
    assert p.returncode==130, (p.returncode, err)
    assert 'Traceback' not in err and 'interrupted' in err, err
    st = optuna.load_study(study_name='s', storage=db)
    states = [x.state.name for x in st.trials]
    assert 'RUNNING' not in states and states.count('COMPLETE') >= 4, [(x.number, x.state.name, x.user_attrs) for x in st.trials if x.state.name!='COMPLETE']
    tr = pd.read_csv(tmp_path/'wdcourse-out'/'tune_trials.csv')
    assert len(tr)==len(states) and (tmp_path/'wdcourse-out'/'tune.png').exists()
