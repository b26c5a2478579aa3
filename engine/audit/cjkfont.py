"""A Chinese font for PDF reports: found with fontconfig, cut to the characters used, with TrueType outlines.

scripts/system-deps.sh installs fonts-noto-cjk, whose fonts carry PostScript (CFF) outlines in a
collection (.ttc). ReportLab embeds only TrueType outlines, so the font is subset with fontTools to the
report's characters and its cubic outlines are turned into quadratic ones: a few kilobytes, in well
under a second, and the PDF embeds exactly what it shows.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.errors import OneThingError

PATTERN = "Noto Sans CJK SC:lang=zh-cn"
PROBE = "中文"  # characters the font must have to count as a Chinese font
INSTALL = "install a Chinese font: scripts/system-deps.sh (Debian package fonts-noto-cjk)"


def find_cjk_font(pattern: str = PATTERN) -> tuple[Path, int]:
    """The font file and its index in a collection that fontconfig picks for Chinese text."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise OneThingError(f"no Chinese font for the PDF report: fontconfig's fc-match is not installed; {INSTALL}")
    found = subprocess.run([fc_match, "-f", "%{file}\n%{index}", pattern], capture_output=True, text=True,
                           timeout=30, check=False).stdout.split("\n")
    path = Path(found[0]) if found and found[0] else None
    if path is None or not path.is_file():
        raise OneThingError(f"no Chinese font for the PDF report (fc-match {pattern!r} found none); {INSTALL}")
    index = int(found[1]) if len(found) > 1 and found[1].strip().isdigit() else 0
    return path, index


@lru_cache(maxsize=64)
def truetype_subset(path: Path, index: int, characters: str, name: str) -> bytes:
    """A TrueType font named `name` holding only `characters` of the font at `path` (collection `index`).

    Each subset needs its own PostScript name: ReportLab registers fonts by that name and would
    silently reuse the first subset for every later one.
    """
    from fontTools import subset

    options = subset.Options()
    options.font_number, options.layout_features, options.hinting = index, [], False
    options.notdef_outline, options.desubroutinize = True, True
    options.drop_tables += ["GSUB", "GPOS", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    font = subset.load_font(str(path), options, lazy=True)
    try:
        cmap = font.getBestCmap() or {}
        if any(ord(c) not in cmap for c in PROBE):
            raise OneThingError(f"{path} has no Chinese characters; {INSTALL}")
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=characters + PROBE)
        subsetter.subset(font)
        if "glyf" not in font:
            _to_truetype(font)
        names = font["name"]
        names.names = [record for record in names.names if record.nameID not in (4, 6)]
        names.setName(name, 4, 3, 1, 0x409)
        names.setName(name, 6, 3, 1, 0x409)
        data = io.BytesIO()
        font.save(data)
    finally:
        font.close()  # lazy loading keeps the file open until now
    return data.getvalue()


def _to_truetype(font: Any) -> None:
    """Replace a font's PostScript (CFF) outlines by TrueType ones: cubic curves become quadratic."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphs, glyf.glyphOrder = {}, font.getGlyphOrder()
    for glyph in glyf.glyphOrder:
        pen = TTGlyphPen(None)
        glyphs[glyph].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[glyph] = pen.glyph()
    for tag in ("CFF ", "CFF2"):
        if tag in font:
            del font[tag]
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000  # the TrueType flavour, with the fields it needs
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                  "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.recalcBBoxes = True
