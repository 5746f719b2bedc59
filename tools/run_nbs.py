"""Execute notebooks the way `nbdev_test` does and save them with their outputs (the docs show them).

Cells flagged with a test flag (`tst_flags` in settings.ini: notest slow cuda net) or `#| eval: false`
are skipped, as in `nbdev_test`, so no download or GPU cell leaves an error in a saved notebook.
Usage: python tools/run_nbs.py [NOTEBOOK ...]   (default: every notebook in nbs/); then `nbdev_clean`.

A figure's output carries, next to the PNG's size, what the docs site needs to know about it (`FIG_META`): `title`, the
figure's title (its suptitle, its axes' titles and its legend labels), for the image's alt text, and `min_font_px`, its smallest drawn text
in pixels at the figure's own size, so a test can tell how large that text is on the page.
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

# Run in the notebook's shell: the PNG of a figure as execnb makes it (retina: twice the pixels, `width` the figure's own
# size), with the figure's title and its smallest drawn text added to the output's metadata
FIG_META = """
def _wdcourse_fig_png(fig):
    import matplotlib.text
    from IPython.core.pylabtools import retina_figure
    sizes,draw = [],matplotlib.text.Text.draw
    def rec(self, renderer):  # only the texts that are drawn: tick labels outside the view are not
        if self.get_visible() and self.get_text().strip(): sizes.append(self.get_fontsize())
        return draw(self, renderer)
    matplotlib.text.Text.draw = rec
    try: fig.canvas.draw()
    finally: matplotlib.text.Text.draw = draw
    res = retina_figure(fig, base64=True, bbox_inches='tight')
    if res is None: return None
    png,md = res
    one = lambda ts: '; '.join(dict.fromkeys(' '.join(t.split()) for t in ts if t.strip()))
    sup,axes = fig._suptitle.get_text() if fig._suptitle else '',one(ax.get_title() for ax in fig.axes)
    legends = [lg for lg in fig.legends + [ax.get_legend() for ax in fig.axes] if lg is not None]
    labels = one(t.get_text() for lg in legends for t in lg.get_texts())
    md['title'] = ': '.join(t for t in (sup, axes) if t) + (f' ({labels})' if labels else '')
    if sizes: md['min_font_px'] = round(min(sizes)*fig.dpi/72, 2)
    return png,md
from matplotlib.figure import Figure as _Figure
get_ipython().display_formatter.formatters['image/png'].for_type(_Figure, _wdcourse_fig_png)
del _Figure
"""

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
    shell.run_cell(FIG_META)
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
