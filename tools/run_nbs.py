"""Execute notebooks the way `nbdev_test` does and save them with their outputs (the docs show them).

Cells flagged with a test flag (`tst_flags` in settings.ini: notest slow cuda net) or `#| eval: false`
are skipped, as in `nbdev_test`, so no download or GPU cell leaves an error in a saved notebook.
Usage: python tools/run_nbs.py [NOTEBOOK ...]   (default: every notebook in nbs/); then `nbdev_clean`.
"""
import os, sys, warnings
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from nbdev.config import get_config
from nbdev.process import extract_directives

def _skip(flags):
    def _f(cell):
        if cell.cell_type!='code' or 'nbdev_export'+'(' in cell.source: return True
        direc = extract_directives(cell, remove=False)
        if direc.get('eval:', [''])[0].lower()=='false': return True
        return bool(flags & direc.keys())
    return _f

def run_nb(fn, flags):
    "Run `fn` top to bottom, stop at the first error, and save it with its outputs"
    fn = Path(fn).resolve()
    nb = read_nb(fn)
    for c in nb.cells:
        if c.cell_type=='code': c.outputs,c.execution_count = [],None
    os.environ['IN_TEST'] = '1'
    # torch deprecates torch.jit.script, which fastai calls at import: not something a reader of the docs can act on
    warnings.filterwarnings('ignore', message='`torch.jit.script` is deprecated', category=FutureWarning)
    shell = CaptureShell(fn)
    with working_directory(fn.parent):
        shell.run_all(nb, exc_stop=True, preproc=_skip(flags))
    write_nb(nb, fn)

if __name__=='__main__':
    cfg = get_config()
    sys.path.insert(0, str(cfg.config_path))  # as nbdev_test does: the package without installing it
    flags = set(cfg.get('tst_flags', '').split())
    fns = sys.argv[1:] or sorted(str(p) for p in cfg.nbs_path.glob('*.ipynb'))
    for fn in fns:
        print('running', fn, flush=True)
        run_nb(fn, flags)
