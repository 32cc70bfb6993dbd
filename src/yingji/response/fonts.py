"""Finding a CJK font to embed in PDFs. We ship none (they are large); a system font file is enough.

Order: ``YINGJI_CJK_FONT`` (a .ttf/.otf/.ttc path, used alone when set; ``YINGJI_CJK_FONT_BOLD``
optional), else Noto Serif
CJK (Debian/Ubuntu ``fonts-noto-cjk``: OpenType CFF, which fpdf2 embeds as CIDFontType0), then
TrueType fallbacks (WenQuanYi, AR PL, Windows SimSun). In a collection (.ttc) the Simplified Chinese
face is picked by its name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from yingji.core.errors import YingjiError

SERIF = [
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/simsun.ttc",
]
BOLD = [
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
]
SANS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
]


class NoCjkFont(YingjiError):
    status_code = 503
    code = "no_cjk_font"
    message = "No Chinese font is installed on the server, so no PDF can be made (install fonts-noto-cjk)."


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int  # face number inside a collection (0 for a plain font file)


@dataclass(frozen=True)
class CjkFonts:
    regular: FontFace
    bold: FontFace  # the regular face again when there is no bold one
    sans: FontFace  # headings (黑体-like), the regular face when missing


def _sc_index(path: str) -> int:
    """In a collection, the face whose name says Simplified Chinese (SC / GB); else the first."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    try:
        for i, font in enumerate(collection.fonts):
            name = str(font["name"].getDebugName(1) or "")
            if name.endswith(" SC") or "GB" in name or "SimSun" in name:
                return i
        return 0
    finally:
        collection.close()


def _first(paths: list[str]) -> FontFace | None:
    for path in paths:
        if path and Path(path).is_file():
            return FontFace(path, _sc_index(path))
    return None


def find() -> CjkFonts | None:
    """The fonts to embed, or None when none is found (or the configured file does not exist)."""
    return _find(os.environ.get("YINGJI_CJK_FONT", ""), os.environ.get("YINGJI_CJK_FONT_BOLD", ""))


@cache
def _find(chosen: str, chosen_bold: str) -> CjkFonts | None:
    if chosen:  # an explicit setting wins; a wrong path is an error, not a silent fallback
        regular = _first([chosen])
        if regular is None:
            return None
        return CjkFonts(regular, _first([chosen_bold]) or regular, regular)
    regular = _first(SERIF)
    if regular is None:
        return None
    return CjkFonts(regular, _first(BOLD) or regular, _first(SANS) or regular)


def require() -> CjkFonts:
    fonts = find()
    if fonts is None:
        raise NoCjkFont()
    return fonts
