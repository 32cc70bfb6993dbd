"""Rewrite raw static links in the templates to the fingerprinting helper:
``"/static/js/x.js?v={{ version }}"`` and ``"/static/js/x.js"`` become ``"{{ static('js/x.js') }}"``.

    .venv/bin/python scripts/static_urls.py          # rewrite, print what changed
    .venv/bin/python scripts/static_urls.py --check  # exit 1 if a template still has a raw link

``tests/test_house.py`` refuses raw ``/static/`` links (web/assets.py says why)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "src" / "yingji" / "web" / "templates"
RAW = re.compile(r"""(["'])/static/([^"'?{}\s]+)(?:\?v=\{\{ ?version ?\}\})?\1""")


def main() -> int:
    check = "--check" in sys.argv[1:]
    found = 0
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        new, n = RAW.subn(lambda m: f"{m.group(1)}{{{{ static('{m.group(2)}') }}}}{m.group(1)}", text)
        if n:
            found += n
            print(f"{path.relative_to(TEMPLATES)}: {n}")
            if not check:
                path.write_text(new)
    return 1 if check and found else 0


if __name__ == "__main__":
    sys.exit(main())
