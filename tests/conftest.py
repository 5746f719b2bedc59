import shutil, subprocess
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture
def repo_copy(tmp_path):
    "A copy of the working tree as git sees it (tracked files and untracked ones it does not ignore)"
    if not (ROOT/'.git').exists(): pytest.skip('needs a git checkout')
    files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split('\0')
    dest = tmp_path/'repo'
    for f in filter(None, files):
        src = ROOT/f
        if not src.is_file(): continue
        (dest/f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest/f)
    return dest
