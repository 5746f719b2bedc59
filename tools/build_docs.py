"""Build the documentation site without Quarto: nbdev's processed notebooks -> Markdown -> MkDocs Material.

    python tools/build_docs.py [--out _site]

1. `nbdev_proc_nbs` runs nbdev's own processors, the ones Quarto would get: `#| hide` cells are gone,
   `show_doc` cells hold their rendered signature and docments, backticked names are links, and each
   notebook starts with its front matter (title, description, output file).
2. Each processed notebook becomes one Markdown page. The cell options nbdev leaves to Quarto (`echo`,
   `output`, `include`) are honoured here; outputs become Markdown, HTML tables or PNG files; `$...$`
   math becomes MathML, which the browser renders, so a page fetches nothing from another host.
3. MkDocs Material builds the site (`--strict`: a broken internal link or anchor stops the build), with
   the sidebar in notebook order and its own offline search.

Building twice gives the same files: page dates come from SOURCE_DATE_EPOCH, the last commit's time, and
memory addresses in signatures (`<function valley at 0x...>`) are dropped.
"""
import argparse, base64, importlib, inspect, itertools, math, os, re, shutil, subprocess, sys
from pathlib import Path
import yaml
from latex2mathml.converter import convert as tex2mathml
from nbdev.config import get_config
from nbdev.quarto import proc_nbs
from nbdev.process import extract_directives
from execnb.nbio import read_nb

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).parent/'docs'
_ansi = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')
_address = re.compile(r' at 0x[0-9a-f]+>')  # `<function valley at 0x7f...>` in a signature: differs at every run
_code = re.compile(r'(```.*?```|`[^`\n]+`)', re.S)
_display = re.compile(r'\$\$(.+?)\$\$', re.S)
_inline = re.compile(r'(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<!\s)\$(?![\w$])')

def cell_options(cell):
    "The Quarto options nbdev leaves in a cell (`{'echo': 'false', ...}`, read by nbdev), and its source without them"
    opts = {k.rstrip(':'): (v[0].lower() if v else '') for k,v in extract_directives(cell, remove=False).items()}
    src = ''.join(itertools.dropwhile(lambda l: l.startswith('#|'), cell.source.splitlines(keepends=True)))
    return opts,src.strip('\n')

_norm_pow = re.compile(r'(\\lVert(?:(?!\\[lr]Vert).)*?\\rVert|\\\|(?:(?!\\\|).)*?\\\|)(?=\^)')
_wide_hat = '<mover><mrow>'  # latex2mathml's `\widehat{...}` (`\hat` gives `<mover accent="true">`)

def wide_hats(mml:str) -> str:
    "`\\widehat{(g + wd p)}`: a hat drawn over the whole group (CSS `.wide-hat`), not one `^` over its middle letter"
    while (i := mml.find(_wide_hat))>=0:
        j,depth = i+len(_wide_hat),1
        while depth:
            o,c = mml.find('<mrow', j),mml.find('</mrow>', j)
            if o!=-1 and o<c: depth,j = depth+1,o+5
            else: depth,j = depth-1,c+7
        rest = mml[j:]
        if not rest.startswith('<mo>&#x0005E;</mo></mover>'): break
        mml = mml[:i] + '<mrow class="wide-hat">' + mml[i+len(_wide_hat):j] + rest[len('<mo>&#x0005E;</mo></mover>'):]
    return mml

def small_hats(mml:str) -> str:
    "`\\hat m`: the circumflex accent (U+02C6) at its own size, as TeX draws it; latex2mathml's `^`, a caret, is wider than `v`"
    return mml.replace('<mo>&#x0005E;</mo></mover>', '<mo stretchy="false">&#x002C6;</mo></mover>')

def tex(src:str, display:str='inline') -> str:
    "MathML of TeX `src`; a power of a norm is the power of the whole `‖p‖` (latex2mathml gives it to the closing ‖, drawn low)"
    return small_hats(wide_hats(tex2mathml(_norm_pow.sub(r'{\1}', src), display=display)))

def formula_parts(src:str) -> list:
    "TeX `src` cut at each `\\qquad` outside braces: the parts of a display formula, which a narrow screen puts on lines of their own"
    parts,depth,start = [],0,0
    for m in re.finditer(r'\\[{}]|[{}]|(?:\\qquad\s*)+', src):  # `\{` is a brace drawn, not a group
        if m.group().startswith('\\qquad') and depth==0: parts,start = parts + [src[start:m.start()]],m.end()
        else: depth += {'{': 1, '}': -1}.get(m.group(), 0)
    return [p.strip() for p in parts + [src[start:]] if p.strip()]

def display_math(src:str) -> str:
    "A `$$...$$` formula as a block of MathML, one `<math>` per part (CSS lays the parts side by side, or one under the other)"
    parts = formula_parts(src)
    cls = 'math-block' + (' math-parts' if len(parts)>1 else '')
    return f'\n\n<div class="{cls}" markdown="0">' + ''.join(tex(p, display='block') for p in parts) + '</div>\n\n'

def math_to_mathml(md:str) -> str:
    "Replace `$$...$$` and `$...$` outside code with MathML"
    def conv(part):
        part = _display.sub(lambda m: display_math(m.group(1).strip()), part)
        return _inline.sub(lambda m: tex(m.group(1)), part)
    return ''.join(p if i%2 else conv(p) for i,p in enumerate(_code.split(md)))

def local_links(md:str, host:str) -> str:
    "nbdev links names to `{doc_host}{doc_baseurl}/page.html#anchor`; on this site the page is `page.md`"
    return re.sub(re.escape(host) + r'/([\w.-]+)\.html', r'\1.md', md)

def anchor_headings(md:str) -> str:
    "`show_doc` headings get the anchor nbdev links to (`#learner.lr_find_wd`), not MkDocs' slug (which drops dots)"
    return re.sub(r'^(#{2,4}) (\S+)\s*$', lambda m: f'{m.group(1)} {m.group(2)} {{#{m.group(2).lower()}}}', md, flags=re.M)

def fenced(text:str, lang:str='text') -> str: return f'```{lang}\n{text.rstrip()}\n```'

def img_alt(title:str, n:int, fig_title:str='') -> str:
    "Alt text of a notebook figure: its number and the figure's title, which `tools/run_nbs.py` puts in the output's metadata; without\
 one (a notebook saved by Jupyter), the number and the page title (matplotlib's text/plain is only `<Figure size 640x480 with 1 Axes>`)"
    if fig_title.strip(): return f'Figure {n}: ' + re.sub(r'[\[\]`{}]', '', ' '.join(fig_title.split()))  # `_` and `*` are kept in an alt
    return f'Figure {n} of ' + re.sub(r'[\[\]`*_]', '', title)

def img_attrs(meta:dict) -> str:
    "attr_list attributes of a figure: shown at its own size (`width`, the retina PNG's half; never blown up past it), and the size\
 of its smallest text at that size (`data-font-px`, from `tools/run_nbs.py`), for the tests"
    attrs = ['.nb-img']
    if isinstance(meta.get('width'), int): attrs.append(f'width="{meta["width"]}"')
    if isinstance(meta.get('min_font_px'), (int, float)): attrs.append(f'data-font-px="{meta["min_font_px"]:g}"')
    if (w := readable_width(meta)): attrs.append(f'style="min-width: {w}px"')
    return '{ ' + ' '.join(attrs) + ' }'

READABLE_PX = 9  # the smallest figure text a reader of a phone (390 px) can read

def readable_width(meta:dict) -> int|None:
    "The narrowest a figure is shown, so that its smallest text stays `READABLE_PX` on the screen (a narrower column scrolls it)"
    w,font = meta.get('width'),meta.get('min_font_px')
    if not isinstance(w, int) or not isinstance(font, (int, float)) or font<=0: return None
    return min(w, math.ceil(w*READABLE_PX/font))

def figure_md(alt:str, src:str, meta:dict) -> str:
    "A figure that opens full size on a click (a link to its PNG), in a box that scrolls it when the column is narrower than it"
    return f'[![{alt}]({src}){img_attrs(meta)}]({src}){{ .nb-fig title="Open the figure full size" }}'

# show_doc: a short signature and the parameters as a table (Quarto's nbdev pages render docments this way), not fastcore's
# signature with each docment as a comment, which runs off the column and puts the note of `**kwargs` on the return line
_show_doc = re.compile(r'^show_doc\((.+)\)$')
_sig_block = re.compile(r'```python\n.*?\n```', re.S)

def fmt_default(v) -> str:
    "A default as a reader writes it: names for classes and functions (inside tuples and lists too), no memory address"
    if isinstance(v, (tuple, list)):
        inner = ', '.join(fmt_default(x) for x in v) + (',' if isinstance(v, tuple) and len(v)==1 else '')
        return f'({inner})' if isinstance(v, tuple) else f'[{inner}]'
    return v.__name__ if callable(v) and hasattr(v, '__name__') else repr(v)

def _star(p) -> str: return '*' if p.kind==p.VAR_POSITIONAL else '**' if p.kind==p.VAR_KEYWORD else ''

def fmt_param(p, short:bool=False) -> str:
    "`name:anno=default` of a parameter (`*args`, `**kwargs`); `short`: a long default cut to its start"
    res = _star(p) + p.name + ('' if p.annotation is inspect._empty else ':' + anno_name(p.annotation))
    if p.default is not inspect._empty:
        d = fmt_default(p.default)
        res += '=' + (d[:24] + '…' + d[-1] if short and len(d)>30 else d)
    return res

def signature_md(name:str, sym, width:int=84) -> str:
    "`def name(p:anno=default, ...)->ret` without the docments, wrapped to `width` columns"
    sig = inspect.signature(sym, eval_str=True)
    params = [fmt_param(p, short=True) for p in sig.parameters.values() if p.name!='self']
    ret = '' if sig.return_annotation is inspect._empty else f'->{anno_name(sig.return_annotation)}'
    head,lines,cur = f"{'class' if inspect.isclass(sym) else 'def'} {name.split('.')[-1]}(",[],''
    for q in params:
        if cur and len(cur) + len(q) + 2 > width - 4: lines.append(cur + ','); cur = ''
        cur = f'{cur}, {q}' if cur else q
    if cur: lines.append(cur)
    if not lines: return f'{head}){ret}'
    one = head + ' '.join(lines) + ')' + ret
    return one if len(one)<=width else head + '\n' + '\n'.join('    ' + l for l in lines) + '\n)' + ret

def anno_name(a) -> str:
    "An annotation as a reader writes it: `Module`, not `torch.nn.modules.module.Module`; a command-line `Param` by its type, a flag\
 as `flag`"
    from fastcore.docments import _fmt_anno, _f_name
    from fastcore.script import Param, store_true, store_false
    if a in (store_true, store_false): return 'flag'
    if isinstance(a, Param): return (anno_name(a.type) if a.type else 'str') + (' ...' if a.nargs in ('+', '*') else '')
    return a.__name__ if isinstance(a, type) else _f_name(a) or _fmt_anno(a)

# what Markdown or HTML would read as markup (`wd/2*Σp²`: the `*`s made emphasis), written as character references
_markup = {c: f'&#{ord(c)};' for c in '&<>*_\\`[]|#~'}

def md_literal(x) -> str:
    "`x` as plain text in a Markdown table cell, on one line: no character of it is read as markup"
    return ''.join(_markup.get(c, c) for c in re.sub(r'\s+', ' ', str(x)))

def _code_cell(x) -> str: return f'<code>{md_literal(x)}</code>'

def doc_cell(doc:str) -> str:
    "A docment in a table cell: its `code` spans as code, the rest as plain text"
    return ''.join(_code_cell(t[1:-1]) if i%2 else md_literal(t) for i,t in enumerate(re.split(r'(`[^`\n]+`)', doc)))

def params_table(sym) -> str:
    "Markdown table of `sym`'s parameters: type, default and docment; a last row for what it returns"
    from fastcore.docments import docments
    try: dm = docments(sym, full=True, args_kwargs=True)
    except Exception: return ''
    sig = inspect.signature(sym, eval_str=True)
    rows = []
    for n,p in sig.parameters.items():
        if n=='self': continue
        d = dm.get(n, {})
        anno = '' if p.annotation is inspect._empty else _code_cell(anno_name(p.annotation))
        dflt = '' if p.default is inspect._empty else _code_cell(fmt_default(p.default))
        doc = d.get('docment') or getattr(p.annotation, 'help', '') or ''  # a command-line `Param` carries its help
        rows.append(f'| `{_star(p)}{n}` | {anno} | {dflt} | {doc_cell(doc)} |')
    r = dm.get('return', {})
    ret = '' if sig.return_annotation in (inspect._empty, None, type(None)) else _code_cell(anno_name(sig.return_annotation))
    if ret or r.get('docment'): rows.append(f'| **Returns** | {ret} | | {doc_cell(r.get("docment") or "")} |')
    if not any(r.split(' | ')[-1].strip('| ') for r in rows): return ''  # as nbdev: no docments, no table (the signature says it all)
    head = ['<div class="params" markdown>', '', '| Parameter | Type | Default | Details |', '|---|---|---|---|']
    return '\n'.join(head + rows + ['', '</div>'])

def is_event(expr:str, ns:dict) -> bool:
    "Is `expr` (`WeightDecayStats.before_fit`) a fastai callback event? fastai calls it, a user does not"
    from fastai.callback.core import _events, Callback
    owner,_,meth = expr.rpartition('.')
    try: return meth in _events and isinstance(o := eval(owner, ns), type) and issubclass(o, Callback)
    except Exception: return False

def property_md(name:str, prop:property) -> str:
    "A property as it is read, an attribute with a type: `@property` over its getter's name (fastcore shows the getter as `def df():`)"
    ret = inspect.signature(prop.fget, eval_str=True).return_annotation
    return f"@property\ndef {name.split('.')[-1]}(self)" + ('' if ret is inspect._empty else f'->{anno_name(ret)}')

def show_doc_md(md:str, sym, name:str) -> str:
    "nbdev's show_doc output with its signature replaced by a short signature and a parameter table after the docstring"
    try: sig = property_md(name, sym) if isinstance(sym, property) else signature_md(name, sym)
    except (ValueError, TypeError): return md
    m = _sig_block.search(md)
    if not m: return md
    table = params_table(sym.fget if isinstance(sym, property) else sym)  # a property's table: what it returns
    return md[:m.start()] + fenced(sig, 'python') + md[m.end():].rstrip() + ('\n\n' + table if table else '') + '\n'

def terminal_line(line:str) -> str:
    "A printed line as a terminal leaves it: each `\\r` goes back to the line's start and what follows overwrites it"
    res = ''
    for seg in line.split('\r'): res = seg + res[len(seg):]
    return res

# fastprogress's text bar (` |████----| 42.86% [3/7 00:00<00:00]`), left in a printed output when a bar runs outside `no_bar()`
_progress_bar = re.compile(r'^\s*\|[█\-]*\|\s*\d+(?:\.\d+)?% \[\d+/\d+')

def trim_blank_lines(lines:list) -> list:
    "`lines` without the blank lines at their start and end (the spaces that begin a table's first line are kept)"
    keep = [i for i,l in enumerate(lines) if l.strip()]
    return lines[keep[0]:keep[-1]+1] if keep else []

def printed_text(text:str) -> str:
    "What a reader should see of printed text: as a terminal shows it, without colour codes or progress bars"
    lines = [terminal_line(l) for l in _ansi.sub('', text).split('\n')]
    return '\n'.join(trim_blank_lines([l for l in lines if not _progress_bar.match(l)]))

def is_table_line(line:str) -> bool: return bool(re.search(r'\S {2,}\S', line))  # columns: 2+ spaces between two of them

def table_runs(text:str) -> list:
    "Printed text as (is_table, text) runs of paragraphs: a paragraph with 2+ lines of columns is a table, kept whole"
    paras = re.split(r'\n[ \t]*\n', text)
    runs = itertools.groupby(paras, lambda p: sum(map(is_table_line, p.split('\n')))>=2)
    return [(tab, t) for tab,ps in runs if (t := '\n\n'.join(ps)).strip()]

def printed_md(text:str) -> str:
    "Printed text as `output` blocks: a table keeps its lines and columns (`.nb-table` scrolls), other text wraps at the column"
    return '\n\n'.join(fenced(t, '{.output .nb-table}' if tab else 'output') for tab,t in table_runs(printed_text(text)))

def output_md(out, name:str, img_dir:Path, n_img:list, title:str='') -> str:
    "One notebook output as Markdown: PNG file, HTML block, Markdown, or plain text"
    if out.output_type=='stream': return printed_md(''.join(out.text)) if out.name=='stdout' else ''
    data = out.get('data', {})
    if 'image/png' in data:
        n_img[0] += 1
        fn = img_dir/f'{name}-{n_img[0]}.png'
        fn.write_bytes(base64.b64decode(''.join(data['image/png'])))
        meta = out.get('metadata', {}).get('image/png', {})
        return figure_md(img_alt(title or name, n_img[0], meta.get('title', '')), f'img/{fn.name}', meta)
    if 'text/markdown' in data: return anchor_headings(_address.sub('>', ''.join(data['text/markdown'])))
    if 'text/html' in data: return '<div class="nb-output" markdown="0">\n' + ''.join(data['text/html']).strip() + '\n</div>'
    if 'text/plain' in data: return fenced(_ansi.sub('', ''.join(data['text/plain'])))
    return ''

def makes_prose(cell) -> bool:
    "Is every output of `cell` Markdown made by `IPython.display.Markdown`? Its code is a sentence's template: the page shows the sentence"
    plain = [''.join(o.get('data', {}).get('text/plain', '')) for o in cell.get('outputs', [])]
    return bool(plain) and all(t.startswith('<IPython.core.display.Markdown object>') for t in plain)

def nb_module(nb_path:Path):
    "The module a notebook exports to (its `#| default_exp`), imported; None for a lesson"
    src = ROOT/get_config().nbs_path.name/nb_path.name
    if not src.exists(): return None
    m = re.search(r'^#\|\s*default_exp\s+(\S+)', '\n'.join(c.source for c in read_nb(src).cells if c.cell_type=='code'), re.M)
    return importlib.import_module(f"{get_config().lib_name}.{m.group(1)}") if m else None

def nb_to_page(nb_path:Path, pages:Path, host:str, nb_url:str=''):
    "Write one processed notebook as a Markdown page (a lesson's links to its notebook at `nb_url`); return (title, page file name)"
    nb = read_nb(nb_path)
    fm = yaml.safe_load(''.join(nb.cells[0].source).strip().strip('-')) if nb.cells and nb.cells[0].cell_type=='raw' else {}
    name = Path(fm.get('output-file', nb_path.stem + '.html')).stem
    title,desc = fm.get('title', name),fm.get('description', '')
    head = yaml.safe_dump(dict(title=title.replace('`', ''), description=desc.replace('`', '')), allow_unicode=True, sort_keys=False)
    parts,n_img = [f'---\n{head}---', f'# {title}'] + ([f'{desc}\n{{ .description }}'] if desc else []),[0]
    if nb_url: parts.append(f'[Open this lesson as a notebook]({nb_url}){{ .nb-link }}')
    mod = nb_module(nb_path)
    for cell in nb.cells[1:] if fm else nb.cells:
        if cell.cell_type=='markdown':
            md = ''.join(cell.source)
            if 'AUTOGENERATED! DO NOT EDIT' in md: continue
            parts.append(math_to_mathml(local_links(md, host)))
        elif cell.cell_type=='code':
            opts,src = cell_options(cell)
            if opts.get('include')=='false': continue
            if (m := _show_doc.match(src.strip())) and mod is not None:
                try: sym = eval(m.group(1), vars(mod))
                except Exception: sym = None
                if is_event(m.group(1), vars(mod)): continue  # fastai calls the events; the prose above says what they do
                if sym is not None:
                    for out in cell.get('outputs', []):
                        data = out.get('data', {})
                        if 'text/markdown' in data: data['text/markdown'] = show_doc_md(''.join(data['text/markdown']), sym, m.group(1))
            if src and opts.get('echo')!='false' and not makes_prose(cell): parts.append(fenced(src, 'python'))
            if opts.get('output')!='false':
                outs = (output_md(out, name, pages/'img', n_img, title.replace('`', '')) for out in cell.get('outputs', []))
                parts += [local_links(o, host) for o in outs if o]
    (pages/f'{name}.md').write_text('\n\n'.join(parts) + '\n')
    return title.replace('`', ''),f'{name}.md'

def is_lesson(p:Path) -> bool: return 'lesson' in p.stem
def is_job(p:Path) -> bool: return p.stem.split('_', 1)[-1]=='cli'  # the main job: `wdcourse` on the command line

def course_nav(toc) -> list:
    "The sidebar of a course: Home, the lessons in notebook order, the API, then the main job (the CLI); Home's Next is the first lesson"
    pick = lambda f: [{t: page} for p,(t,page) in toc if p.stem!='index' and f(p)]
    nav = [{'Home': 'index.md'}]
    for section,items in [('Lessons', pick(is_lesson)), ('API', pick(lambda p: not is_lesson(p) and not is_job(p)))]:
        if items: nav.append({section: items})
    return nav + pick(is_job)

def build(out:Path):
    cfg = get_config()
    host = cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/')
    shutil.rmtree(ROOT/'_proc', ignore_errors=True)  # from scratch: no page of a notebook that is gone, nothing cached
    proc_nbs()
    work = ROOT/'_mkdocs'
    shutil.rmtree(work, ignore_errors=True)
    pages = work/'docs'
    (pages/'img').mkdir(parents=True)
    shutil.copy(TEMPLATE/'extra.css', pages/'extra.css')
    shutil.copytree(TEMPLATE/'fonts', pages/'fonts')  # the formulas' font (tools/docs/math_font.py), served with the site
    shutil.copytree(TEMPLATE/'overrides', work/'overrides')
    proc = ROOT/'_proc'
    nbs = sorted(proc.glob('*.ipynb'), key=lambda p: (p.stem!='index', p.name))
    repo = cfg.git_url.rstrip('/')
    nb_url = lambda p: f"{repo}/blob/{cfg.get('branch', 'main')}/{Path(cfg.nbs_path).resolve().relative_to(ROOT).as_posix()}/{p.name}"
    toc = [(p, nb_to_page(p, pages, host, nb_url(p) if is_lesson(p) else '')) for p in nbs]
    conf = yaml.safe_load((TEMPLATE/'mkdocs.yml').read_text())
    conf['nav'],conf['repo_url'],conf['repo_name'] = course_nav(toc),repo,'/'.join(repo.split('/')[-2:])
    conf['site_url'] = host + '/'  # the 404 page, served at any depth, links its styles from the base path (`/wdcourse/assets/...`)
    (work/'mkdocs.yml').write_text(yaml.safe_dump(conf, allow_unicode=True, sort_keys=False))
    env = dict(os.environ)
    if 'SOURCE_DATE_EPOCH' not in env:
        git = subprocess.run(['git', 'log', '-1', '--format=%ct'], cwd=ROOT, capture_output=True, text=True)
        env['SOURCE_DATE_EPOCH'] = git.stdout.strip() if git.returncode==0 and git.stdout.strip() else '315532800'
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '--strict', '--quiet', '-f', str(work/'mkdocs.yml'), '-d', str(out.resolve())],
                   check=True, env=env, cwd=work)
    return out

if __name__=='__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(ROOT/'_site'), help='folder for the site (emptied first)')
    print(f"site built in {build(Path(ap.parse_args().out))}")
