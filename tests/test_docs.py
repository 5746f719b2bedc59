"The docs site: built from the notebooks without Quarto, served on 127.0.0.1, every page opened in headless Chromium"
import functools, hashlib, html, http.server, os, re, subprocess, sys, threading
from pathlib import Path
from urllib.parse import urlparse, unquote
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = '/usr/bin/chromium'
OUT = ROOT/'tests'/'_out'  # screenshots, to look at (ignored by git)

def build(dest:Path) -> Path:
    subprocess.run([sys.executable, str(ROOT/'tools'/'build_docs.py'), '--out', str(dest)], cwd=ROOT, check=True,
                   env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})
    return dest

@pytest.fixture(scope='module')
def site(tmp_path_factory): return build(tmp_path_factory.mktemp('site'))

def tree(d:Path) -> dict: return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob('*')) if p.is_file()}

def test_build_is_reproducible(site, tmp_path):
    again = build(tmp_path/'again')
    a,b = tree(site),tree(again)
    assert a.keys()==b.keys()
    assert [f for f in a if a[f]!=b[f]]==[]

@pytest.fixture(scope='module')
def server(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}'
    httpd.shutdown()

@pytest.fixture(scope='module')
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get('WDCOURSE_REQUIRE_BROWSER'): pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does)")
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser checks")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        # no sandbox as root; no background networking, which a closed network refuses and which is not the site's
        b = pw.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                               '--disable-background-networking', '--disable-component-update', '--disable-sync'])
        yield b
        b.close()

def pages(site): return sorted(p.name for p in site.glob('*.html'))

def open_page(browser, url):
    "Open `url`; return the page, the console errors and every URL it requested"
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    errors,requests = [],[]
    page.on('console', lambda m: errors.append(m.text) if m.type=='error' else None)
    page.on('pageerror', lambda e: errors.append(str(e)))
    page.on('request', lambda r: requests.append(r.url))
    page.goto(url, wait_until='networkidle')
    return page,errors,requests

def test_every_page(site, server, browser):
    names = pages(site)
    assert {'index.html', 'callbacks.html', 'lesson_loss.html', 'lesson_adamw.html'} <= set(names)
    links = set()
    for name in names:
        page,errors,requests = open_page(browser, f'{server}/{name}')
        assert errors==[], (name, errors)
        away = [u for u in requests if urlparse(u).scheme not in ('data', 'blob', 'about') and urlparse(u).hostname!='127.0.0.1']
        assert away==[], (name, away)
        imgs = page.eval_on_selector_all('img', 'els => els.map(e => [e.getAttribute("src"), e.naturalWidth, e.naturalHeight])')
        assert all(w>0 and h>0 for _,w,h in imgs), (name, [i for i in imgs if not (i[1] and i[2])])
        hrefs = page.eval_on_selector_all('a[href]', 'els => els.map(e => e.href)')
        links |= {h for h in hrefs if h.startswith(server)}
        page.close()
    # no internal link is broken: the page exists and so does the element its #fragment names
    ids = {}
    for link in sorted(links):
        u = urlparse(link)
        path = unquote(u.path).lstrip('/') or 'index.html'
        target = site/path
        if path.endswith('/'): target = target/'index.html'
        assert target.exists(), f"broken link {link}"
        if u.fragment and target.suffix=='.html':
            if target not in ids: ids[target] = set(re.findall(r'\bid="([^"]+)"', target.read_text()))
            assert unquote(u.fragment) in ids[target], f"broken anchor {link}"
    assert any('callbacks.html#weightdecaystats' in l for l in links)  # backticked names link to their API docs

def test_weight_decay_stats_api(server, browser):
    from fastcore.docments import docments
    from wdcourse.callbacks import WeightDecayStats
    page,errors,_ = open_page(browser, f'{server}/callbacks.html#weightdecaystats')
    heading = page.locator('[id="weightdecaystats"]')
    assert heading.is_visible() and heading.inner_text().strip().startswith('WeightDecayStats')
    text = page.inner_text('article')
    assert 'class WeightDecayStats(' in text
    docs = {k: v for k,v in docments(WeightDecayStats).items() if k not in ('self', 'return') and v}
    assert len(docs) >= 4
    rows = page.eval_on_selector_all('[id="weightdecaystats"] ~ .params table tr', 'rs => rs.map(r => [...r.cells].map(c => c.innerText.trim()))')
    for k,v in docs.items(): assert any(r[0]==k and r[-1]==v.replace('`', '') for r in rows), (k, rows)  # each parameter, with its docment
    assert 'show_doc(' not in text  # `#| echo: false`: the output only
    assert errors==[]
    page.close()

def test_hidden_cells_absent(site):
    "The first line of every `#| hide` cell of the notebooks is on no page"
    from execnb.nbio import read_nb
    text = ''.join(p.read_text() for p in site.glob('*.html'))
    hidden = []
    for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
        for c in read_nb(nb).cells:
            lines = c.source.splitlines()
            if c.cell_type=='code' and lines and lines[0].strip()=='#| hide':
                body = [l for l in lines[1:] if l.strip() and not l.startswith('#|') and len(l.strip())>25]
                if body: hidden.append(body[0].strip())
    assert len(hidden) >= 5
    assert [h for h in hidden if html.escape(h, quote=False) in text or h in text]==[]

def test_search_finds_weight_decay_stats(server, browser):
    page,errors,requests = open_page(browser, f'{server}/index.html')
    page.click('input.md-search__input')
    page.keyboard.type('weight decay')
    page.wait_for_selector('.md-search-result__item a', timeout=15000)
    hrefs = page.eval_on_selector_all('.md-search-result__item a', 'els => els.map(e => e.href)')
    assert any('callbacks.html' in h for h in hrefs), hrefs
    assert errors==[] and all(urlparse(u).hostname=='127.0.0.1' or urlparse(u).scheme in ('data', 'blob') for u in requests)
    page.close()

def test_math_plots_and_screenshots(server, browser):
    OUT.mkdir(exist_ok=True)
    page,errors,_ = open_page(browser, f'{server}/index.html')
    page.screenshot(path=str(OUT/'front_page.png'), full_page=True)
    page.close()
    page,errors,_ = open_page(browser, f'{server}/lesson_lr_wd.html')
    # formulas are rendered MathML with a real size; plots are there
    sizes = page.eval_on_selector_all('math', 'els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])')
    assert len(sizes) >= 3 and all(w>5 and h>5 for w,h in sizes), sizes
    assert page.locator('img.nb-img').count() >= 3
    page.screenshot(path=str(OUT/'lesson_lr_wd.png'), full_page=True)
    assert errors==[]
    page.close()
    assert (OUT/'front_page.png').stat().st_size > 10_000 and (OUT/'lesson_lr_wd.png').stat().st_size > 10_000

def test_front_matter_titles(server, browser):
    "Each page's title and description come from its notebook's `# Title` and `> summary` cells"
    from execnb.nbio import read_nb
    for nb,page_name in [('10_callbacks.ipynb', 'callbacks.html'), ('30_lesson_loss.ipynb', 'lesson_loss.html')]:
        cell = next(c for c in read_nb(ROOT/'nbs'/nb).cells if c.cell_type=='markdown' and c.source.startswith('# '))
        title,summary = [l for l in cell.source.splitlines() if l.strip()][:2]
        title,summary = title[2:].replace('`', ''),summary.lstrip('> ').replace('`', '')
        page,errors,_ = open_page(browser, f'{server}/{page_name}')
        assert page.title().startswith(title), (page.title(), title)
        assert page.get_attribute('meta[name="description"]', 'content')==summary
        assert page.inner_text('article h1').strip().rstrip('¶').strip()==title
        page.close()

# What a reader sees at a 1280 px window, page by page: how wide the page is, each image's alt text, and each table wider
# than the content column with the element that scrolls it (None: nothing does, the table is cut off or widens the page)
LAYOUT_JS = """() => {
  const art = document.querySelector('article'), col = art.clientWidth;
  const scroller = t => { for (let a = t.parentElement; a && a !== art; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if ((o === 'auto' || o === 'scroll') && a.clientWidth <= col) return a; }
    return null; };
  const wide = [...art.querySelectorAll('table')].filter(t => t.getBoundingClientRect().width > col).map(t => {
    const a = scroller(t); let seen = null;
    if (a) { a.scrollLeft = a.scrollWidth; seen = t.getBoundingClientRect().right <= a.getBoundingClientRect().right + 1; a.scrollLeft = 0; }
    return {width: Math.round(t.getBoundingClientRect().width), scroller: a ? a.className || a.tagName : null, end_seen: seen}; });
  const imgs = [...art.querySelectorAll('img.nb-img')].map(i => ({src: i.getAttribute('src'), alt: i.alt, natural: i.naturalWidth,
    shown: i.getBoundingClientRect().width, font: i.dataset.fontPx ? parseFloat(i.dataset.fontPx) : null}));
  const outs = [...art.querySelectorAll('.highlight pre > code')].filter(c => c.querySelector(':scope > .go'));  // Material scrolls the `code`
  const printed = outs.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 60));
  return {width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight, col: col,
          alts: [...art.querySelectorAll('img')].map(i => i.alt), wide: wide, imgs: imgs,
          n_printed: outs.length, printed_cut: printed};
}"""

@pytest.fixture(scope='module')
def layout(site, server, browser):
    "Each page's `LAYOUT_JS` measures, opened at 1280 px; the callbacks page and each lesson as screenshots, to look at"
    res = {}
    OUT.mkdir(exist_ok=True)
    for name in pages(site):
        page,_,_ = open_page(browser, f'{server}/{name}')
        res[name] = page.evaluate(LAYOUT_JS)
        if name=='callbacks.html' or name.startswith('lesson_'): page.screenshot(path=str(OUT/name.replace('.html', '.png')), full_page=True)
        page.close()
    return res

def test_no_page_wider_than_the_window(layout):
    assert {n: l['width'] for n,l in layout.items() if l['width']>1280}=={}

def test_printed_lines_wrap_in_their_box(layout):
    "What a cell printed is read whole: a long line wraps at the column's edge instead of running out of view"
    assert sum(l['n_printed'] for l in layout.values()) >= 20  # printed outputs are there to check
    assert {n: l['printed_cut'] for n,l in layout.items() if l['printed_cut']}=={}

def test_alt_text_says_what_the_figure_is(layout):
    alts = [(n, a) for n,l in layout.items() for a in l['alts']]
    assert len(alts) >= 5
    assert [(n, a) for n,a in alts if not a.strip() or re.fullmatch(r'output \d+', a.strip())]==[]
    assert len(set(alts))==len(alts)  # figures of one page are told apart

def test_wide_tables_scroll_in_their_box(layout):
    wide = {n: l['wide'] for n,l in layout.items() if l['wide']}
    assert 'callbacks.html' in wide, wide  # its WeightDecayStats table is wider than the column: the check has something to check
    assert {n: [t for t in ts if t['scroller'] is None or not t['end_seen']] for n,ts in wide.items()}=={n: [] for n in wide}
    assert all(layout[n]['width']<=1280 for n in wide)

def test_course_navigation(site, server, browser):
    "The sidebar: Home, the lessons in notebook order, the API, then the main job (the CLI); Home's Next is the first lesson"
    nbs = sorted(p.stem for p in (ROOT/'nbs').glob('*.ipynb') if p.stem!='index')
    lessons = [n.split('_', 1)[1] + '.html' for n in nbs if 'lesson' in n]
    api = [n.split('_', 1)[1] + '.html' for n in nbs if 'lesson' not in n and n.split('_', 1)[1]!='cli']
    assert 'lesson_norm.html' in lessons and len(lessons) >= 6
    page,errors,_ = open_page(browser, f'{server}/index.html')
    hrefs = page.eval_on_selector_all('nav.md-nav--primary a.md-nav__link[href]', 'els => els.map(e => e.getAttribute("href"))')
    order = list(dict.fromkeys(h for h in hrefs if h.endswith('.html')))
    assert order==['index.html'] + lessons + api + ['cli.html'], order
    nxt = page.eval_on_selector_all('a.md-footer__link--next', 'els => els.map(e => e.getAttribute("href"))')
    assert nxt==[lessons[0]], nxt
    from nbdev.config import get_config
    repo = get_config().git_url.rstrip('/')
    assert page.locator(f'header a.md-source[href="{repo}"]').count()==1  # the repository, in the header
    page.close()
    for lesson,nb in zip(lessons, [n for n in nbs if 'lesson' in n]):
        page,_,_ = open_page(browser, f'{server}/{lesson}')
        links = page.eval_on_selector_all('article a[href$=".ipynb"]', 'els => els.map(e => e.href)')
        assert links==[f'{repo}/blob/main/nbs/{nb}.ipynb'], (lesson, links)
        page.close()
    assert errors==[]

def test_formulas_draw_norms_and_hats_whole(server, browser):
    "The two bars of each ‖p‖ sit at one height, also under a power (‖p‖²); no hat `^` sits over the middle of a wider group"
    bars,hats = [],[]
    for name in ['lesson_shrink.html', 'lesson_adamw.html', 'lesson_norm.html']:
        page,errors,_ = open_page(browser, f'{server}/{name}')
        # per formula, the bottom edge of each ‖ in order: consecutive ones are the two bars of one norm
        for bs in page.eval_on_selector_all('math', """els => els.map(m => [...m.querySelectorAll('mo')]
                .filter(o => o.textContent.trim() === '\u2016').map(o => o.getBoundingClientRect().bottom))"""):
            bars += [(name, round(b-a, 1)) for a,b in zip(bs[::2], bs[1::2])]
        # each `^` drawn over something: its width and the width of what it is over
        hats += [(name,) + tuple(w) for w in page.eval_on_selector_all('mover', """els => els
                .filter(m => m.children.length === 2 && m.children[1].textContent.trim() === '^')
                .map(m => [m.children[0].getBoundingClientRect().width, m.children[1].getBoundingClientRect().width])""")]
        assert errors==[], (name, errors)
        page.close()
    assert len(bars) >= 5 and len(hats) >= 3
    assert [b for b in bars if abs(b[1])>1]==[]
    assert [h for h in hats if h[1] > 2.5*h[2]]==[]

def test_figures_drawn_for_the_column(layout):
    """Every figure is shown at (nearly) its own size: its PNG, drawn at twice the pixels (retina), is at most 2x wider than it is
    shown, so it was drawn for the column and not shrunk into it; and its smallest text is at least 10 px tall on the screen"""
    imgs = [(n, i) for n,l in layout.items() for i in l['imgs']]
    assert len(imgs) >= 15
    assert all(i['shown'] > 100 for _,i in imgs)
    assert [(n, i['src'], i['natural'], round(i['shown'])) for n,i in imgs if i['natural'] > 2.02*i['shown']]==[]
    # `data-font-px`: the smallest drawn text at the figure's own size (`tools/run_nbs.py`); on the screen it is scaled by how the
    # figure is shown against its own size (the retina PNG's half)
    assert [(n, i['src']) for n,i in imgs if i['font'] is None]==[]
    on_screen = {(n, i['src']): round(i['font']*i['shown']/(i['natural']/2), 1) for n,i in imgs}
    assert {k: v for k,v in on_screen.items() if v < 10}=={}

def test_figure_alt_is_its_title(layout):
    "A figure's alt text is its number and its title (the axes' titles, or the suptitle), not the page's"
    imgs = [(n, i) for n,l in layout.items() for i in l['imgs']]
    assert [(n, i['alt']) for n,i in imgs if not re.fullmatch(r'Figure \d+: \S.{5,}', i['alt'])]==[]
    lr_wd = [i['alt'] for i in layout['lesson_lr_wd.html']['imgs']]
    assert any('final accuracy' in a and 'decoupled' in a for a in lr_wd), lr_wd  # the heatmaps say what they show

def test_api_pages_show_the_api(layout, server, browser):
    """The callbacks page: signatures, parameter tables and short examples, not the tests (it was 15,810 px tall); parameters in
    tables, no docment as a comment in a signature; the `**kwargs` note in its own row, not on the return line"""
    assert layout['callbacks.html']['height'] < 12500, layout['callbacks.html']['height']
    page,errors,_ = open_page(browser, f'{server}/data.html')
    sigs = page.eval_on_selector_all('article .highlight code', 'els => els.map(e => e.innerText)')
    assert not [s for s in sigs if re.match(r'(def|class) \w+\(', s) and ' # ' in s]
    rows = page.eval_on_selector_all('[id="digits_dls"] ~ .params table tr', 'rs => rs.map(r => [...r.cells].map(c => c.innerText.trim()))')
    kw = [r for r in rows if r[0]=='**kwargs']
    assert kw and 'DataLoaders.from_dsets' in kw[0][-1], rows
    ret = [r for r in rows if r[0]=='Returns']
    assert ret and 'from_dsets' not in ret[0][-1], rows
    page.close()
    for name in ['core.html', 'data.html', 'callbacks.html', 'recipes.html', 'cli.html']:
        page,errors,_ = open_page(browser, f'{server}/{name}')
        n_tab = page.locator('article .params table').count()
        assert n_tab >= (1 if name=='cli.html' else 2) and errors==[], (name, n_tab, errors)
        page.close()

def test_markdown_cells_show_only_their_output(site):
    "A lesson cell that only builds prose (`Markdown(f...)`) shows the prose, not its code (`#| echo: false`)"
    from execnb.nbio import read_nb
    text = html.unescape(re.sub(r'<[^>]+>', '', ''.join(p.read_text() for p in site.glob('lesson_*.html'))))  # what a reader reads
    cells = [(nb.stem, c.source) for nb in sorted((ROOT/'nbs').glob('3*_lesson_*.ipynb')) for c in read_nb(nb).cells
             if c.cell_type=='code' and '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|')).startswith('Markdown(')]
    assert len(cells) >= 6
    first = lambda src: next(l for l in src.splitlines() if not l.startswith('#|'))[:60]
    assert [(n, first(s)) for n,s in cells if first(s) in text]==[]
