"Cross-cutting checks of the package and the repository: what no single notebook can test."
import configparser, os, subprocess, sys
from pathlib import Path
from conftest import ROOT

def run(cmd, cwd, **kw):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, **kw)

def test_import_is_light():
    "The package imports without torchvision or fastai.vision (and so without their start-up cost)"
    code = ("import sys, wdcourse, wdcourse.core, wdcourse.data; "
            "print(sorted(m for m in sys.modules if m=='torchvision' or m.startswith(('torchvision.', 'fastai.vision'))))")
    res = run([sys.executable, '-c', code], cwd=ROOT/'tests')
    assert res.returncode==0, res.stderr
    assert res.stdout.strip()=='[]', res.stdout

def test_version_matches_settings():
    import wdcourse
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    assert wdcourse.__version__==cfg['DEFAULT']['version']

def _changed(before, after):
    return sorted(str(p.relative_to(after)) for p in after.rglob('*')
                  if p.is_file() and '__pycache__' not in p.parts and '_proc' not in p.parts
                  and (not (before/p.relative_to(after)).exists() or (before/p.relative_to(after)).read_bytes()!=p.read_bytes()))

def test_export_and_clean_leave_no_diff(repo_copy):
    "The modules are what the notebooks export, and the notebooks are clean"
    for cmd in (['nbdev_export'], ['nbdev_clean']):
        res = run(cmd, cwd=repo_copy)
        assert res.returncode==0, res.stderr
    assert _changed(ROOT, repo_copy)==[], 'run nbdev_export and nbdev_clean, then commit'

def test_readme_is_generated_from_index(repo_copy):
    "README.md is what tools/nb2md.py makes of nbs/index.ipynb"
    res = run([sys.executable, 'tools/nb2md.py', 'README.generated.md'], cwd=repo_copy)
    assert res.returncode==0, res.stderr
    assert (repo_copy/'README.generated.md').read_text()==(ROOT/'README.md').read_text(), 'run python tools/nb2md.py'

def _fenced_commands(md):
    "The command lines of the ```sh blocks of a Markdown text, in order"
    cmds,inside = [],False
    for line in md.splitlines():
        if line.startswith('```'): inside = line.strip()=='```sh'; continue
        if inside and line.strip(): cmds.append(line.strip())
    return cmds

def test_readme_starts_with_two_fresh_machine_commands():
    "The first two command lines install (and run the main job), then install and run every test"
    cmds = _fenced_commands((ROOT/'README.md').read_text())
    assert len(cmds)>=2
    assert cmds[0]=='pip install torch torchvision -e . && wdcourse-compare'
    assert cmds[1].startswith('pip install torch torchvision -e ".[dev]"') and 'nbdev_test' in cmds[1] and 'pytest' in cmds[1]
    # and, last, the newest fastai and fastcore in a second environment that reuses the installed torch
    assert cmds[1].endswith(' && python tests/newest_fastai.py') and (ROOT/'tests'/'newest_fastai.py').is_file()

def test_ci_runs_exactly_the_readme_test_command():
    res = run(['bash', '.ci/run'], cwd=ROOT, env={**os.environ, 'CI_DRY_RUN': '1'})
    assert res.returncode==0, res.stderr
    test_cmd = _fenced_commands((ROOT/'README.md').read_text())[1]
    assert res.stdout.strip()==f'+ {test_cmd}'

def test_tune_without_optuna_says_how_to_install():
    "Optuna is an optional extra: without it, `import wdcourse.tune` says how to get it, and the rest imports as before"
    code = ("import sys; sys.modules['optuna'] = None\nimport wdcourse.recipes\n"
            "try: import wdcourse.tune\nexcept ImportError as e: print(e)")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert "pip install 'wdcourse[tune]'" in out, out
