"Every Python block of README.md runs, in order, in a fresh interpreter: what a reader copies works as printed"
import os, re, subprocess, sys
from conftest import ROOT

def test_readme_code_runs(tmp_path):
    blocks = re.findall(r'^```python\n(.*?)^```', (ROOT/'README.md').read_text(), re.M | re.S)
    assert len(blocks) >= 5, len(blocks)
    script = tmp_path/'readme.py'
    script.write_text('\n'.join(blocks))
    res = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                         env={**os.environ, 'MPLBACKEND': 'Agg', 'PYTHONPATH': str(ROOT)})
    assert res.returncode==0, res.stderr[-3000:]
