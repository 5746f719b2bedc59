"`tests/newest_fastai.py` builds its second environment on the packages of the interpreter that runs it, also inside a virtualenv"
import subprocess, sys, venv
from conftest import ROOT

def test_second_env_sees_the_virtualenvs_packages(tmp_path):
    "From inside a virtualenv (here one without pip, holding a marker package), the second environment imports that package"
    outer = tmp_path/'outer'
    venv.create(outer)  # like a user's `python -m venv`: its packages are its own, the base interpreter does not have them
    py = outer/'bin'/'python'
    site_dir = subprocess.run([py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                              check=True, capture_output=True, text=True).stdout.strip()
    with open(f'{site_dir}/wdcourse_marker.py', 'w') as f: f.write('HERE = True\n')
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import newest_fastai as n; from pathlib import Path; "
            "print(n.make_env(Path(sys.argv[2]), with_pip=False))")
    inner = subprocess.run([py, '-c', code, str(ROOT/'tests'), str(tmp_path/'inner')], check=True, capture_output=True, text=True).stdout.strip()
    res = subprocess.run([inner, '-c', 'import wdcourse_marker, sys; print(wdcourse_marker.__file__)'], capture_output=True, text=True)
    assert res.returncode==0, res.stderr
    assert res.stdout.strip().startswith(site_dir), res.stdout
