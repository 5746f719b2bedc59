"""The library against the newest fastai and fastcore (CI step of the README's test command; not collected by pytest).

The dev tools pin nbdev 2, hence fastcore < 2 and fastai <= 2.8.7; the library itself promises to work with the newest
fastai too. This makes a second environment that sees the packages of the interpreter running this script (a `.pth` file
that adds its site-packages: `venv --system-site-packages` would see the *base* interpreter's instead, which inside a
virtualenv or a conda env lacks torch), upgrades only fastai and fastcore (and what they need), refuses to go on if that
would install torch or torchvision a second time, checks that the versions it got are the newest on the index, then runs
`tests/test_api.py` and a short `wdcourse-compare` there. Run it from the repository root: `python tests/newest_fastai.py`.
"""
import json, os, re, shutil, site, subprocess, sys, tempfile, time, venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKGS = ['fastai', 'fastcore']
NO_SECOND = {'torch', 'torchvision'}  # reused from the environment this runs in

def run(cmd, **kw):
    print('+', ' '.join(map(str, cmd)), flush=True)
    return subprocess.run(list(map(str, cmd)), check=True, **kw)

def out(cmd, **kw): return subprocess.run(list(map(str, cmd)), check=True, capture_output=True, text=True, **kw).stdout

def newest(py, pkg) -> str:
    "The newest release of `pkg` on the index pip uses"
    txt = out([py, '-m', 'pip', 'index', 'versions', pkg, '--disable-pip-version-check'])
    m = re.search(r'Available versions: ([^,\s]+)', txt)
    if not m: sys.exit(f"newest_fastai: cannot read the newest {pkg} from `pip index versions`:\n{txt}")
    return m.group(1)

def main():
    start = time.time()
    env_dir = Path(tempfile.mkdtemp(prefix='wdcourse-newest-'))
    try: check(env_dir, start)
    finally: shutil.rmtree(env_dir, ignore_errors=True)

def our_site_dirs() -> list:
    "The site-packages of the interpreter running this (a virtualenv's, a conda env's or the system's), user site included"
    dirs = site.getsitepackages() + ([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])
    return [d for d in dict.fromkeys(dirs) if Path(d).is_dir()]

def make_env(env_dir:Path, with_pip:bool=True) -> Path:
    "A virtualenv whose own packages come first, then this interpreter's (their `.pth` files processed, as `site` does)"
    venv.create(env_dir, with_pip=with_pip)
    py = env_dir/('Scripts' if os.name=='nt' else 'bin')/'python'
    purelib = Path(out([py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).strip())
    (purelib/'_wdcourse_outer_site.pth').write_text(''.join(f'import site; site.addsitedir({d!r})\n' for d in our_site_dirs()))
    return py

def check(env_dir:Path, start:float):
    py = make_env(env_dir)
    # what an upgrade would install, before anything is downloaded: never torch or torchvision again
    report = json.loads(out([py, '-m', 'pip', 'install', '-q', '--dry-run', '--upgrade', *PKGS, '--report', '-',
                             '--disable-pip-version-check']))
    would = {i['metadata']['name'].lower(): i['metadata']['version'] for i in report['install']}
    again = NO_SECOND & set(would)
    if again: sys.exit(f"newest_fastai: upgrading {PKGS} would install {again} a second time ({would}): stop")
    run([py, '-m', 'pip', 'install', '-q', '--upgrade', *PKGS, '--disable-pip-version-check'])
    info = json.loads(out([py, '-c', 'import json, fastai, fastcore, torch; print(json.dumps(dict(fastai=fastai.__version__, '
                               'fastcore=fastcore.__version__, torch=torch.__version__, torch_file=torch.__file__)))']))
    print(f"newest_fastai: fastai {info['fastai']}, fastcore {info['fastcore']}, torch {info['torch']} from {info['torch_file']}")
    if Path(info['torch_file']).resolve().is_relative_to(env_dir.resolve()): sys.exit("newest_fastai: torch was installed a second time")
    import torch  # the torch of this environment: the other one must import the same files
    if Path(info['torch_file']).resolve()!=Path(torch.__file__).resolve(): sys.exit(f"newest_fastai: torch comes from {info['torch_file']}, not {torch.__file__}")
    for pkg in PKGS:
        latest = newest(py, pkg)
        if info[pkg]!=latest: sys.exit(f"newest_fastai: {pkg} {info[pkg]} installed, the newest is {latest}")
    if int(info['fastcore'].split('.')[0])<2: sys.exit(f"newest_fastai: expected fastcore 2.x, got {info['fastcore']}")
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'MPLBACKEND': 'Agg'}  # this checkout's wdcourse
    run([py, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', str(ROOT/'tests'/'test_api.py')], env=env, cwd=env_dir)
    res = env_dir/'out'
    run([py, '-c', 'from wdcourse.cli import cli; cli()', '--wds', '0', '0.1', '--epochs', '1', '--lr', '3e-3',
         '--out', res, '--quiet'], env=env, cwd=env_dir)
    rows = (res/'results.csv').read_text().strip().splitlines()
    if len(rows)!=3: sys.exit(f"newest_fastai: the CLI wrote {len(rows)-1} result rows, not 2")
    print(f"newest_fastai: tests/test_api.py and the CLI passed with fastai {info['fastai']} and fastcore {info['fastcore']} "
          f"in {time.time()-start:.0f} s")

if __name__=='__main__': main()
