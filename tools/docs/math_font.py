"""Make `fonts/math.woff`, the site's font for formulas: DejaVu Math TeX Gyre (Debian's fonts-dejavu-extra) cut to the
characters formulas use, with its OpenType MATH table, which lets the browser stretch √ over what it covers and draw accents
at their size. A reader's system may have no math font (Chromium then draws √ at text size); this one is served with the site.

    python tools/docs/math_font.py [path/to/DejaVuMathTeXGyre.ttf]

DejaVu's licence (fonts/LICENSE) allows the cut: the font is renamed and its notice kept.
"""
import sys
from pathlib import Path
from fontTools import subset
from fontTools.ttLib import TTFont

SRC = '/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf'
NAME = 'wdcourse math'  # the licence: a modified font takes a name without "Bitstream" or "Vera"
# ASCII, ± · × ¬ ÷, Greek, ‖ … ′ ″ ˆ ˜, arrows, the Mathematical Operators block, and the italic letters a one-letter <mi> is
# drawn with (Latin, ℎ, Greek: MathML Core's math-auto)
CHARS = ([*range(0x20, 0x7f), 0xb1, 0xb7, 0xd7, 0xac, 0xf7, *range(0x391, 0x3ca), 0x3d1, 0x3d5, 0x3f0, 0x3f1, 0x3f5,
          0x2016, 0x2026, 0x2032, 0x2033, 0x2c6, 0x2dc, *range(0x2190, 0x2195), *range(0x2200, 0x2300),
          *range(0x1d434, 0x1d468), 0x210e, *range(0x1d6e2, 0x1d71c)])

def math_font(src:str=SRC, dest:Path=Path(__file__).parent/'fonts'/'math.woff') -> Path:
    "Cut `src` to `CHARS` (their MATH variants and assemblies kept), rename it `NAME`, save as WOFF"
    opts = subset.Options(layout_features=['*'], notdef_outline=True, drop_tables=subset.Options().drop_tables + ['FFTM'])
    font = TTFont(src, recalcTimestamp=False)  # the same bytes at every run
    s = subset.Subsetter(opts)
    s.populate(unicodes=CHARS)
    s.subset(font)
    for rec in font['name'].names:
        if rec.nameID in (1, 4, 16): rec.string = NAME
        elif rec.nameID==6: rec.string = NAME.replace(' ', '-')
    font.flavor = 'woff'
    dest.parent.mkdir(exist_ok=True)
    font.save(dest)
    return dest

if __name__=='__main__': print(f"written {math_font(*sys.argv[1:2])}")
