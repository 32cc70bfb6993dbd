"""Extract messages into the gettext catalogs and report what lacks a translation.

    python scripts/i18n.py          # refresh src/yingji/locale/*/LC_MESSAGES/yingji.po
    python scripts/i18n.py --check  # exit 1 if a catalog is stale or a zh_CN entry is empty

Message ids are English. Python files are scanned for _(), gettext(), N_() and the message
strings of error classes and services (``message=`` / ``"message": …``); templates for _().
"""

from __future__ import annotations

import argparse
import ast
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "yingji"
LOCALES = ("zh_CN", "en")
NOT_MESSAGES = {"message"}  # babel picks up d["message"] inside gettext(d["message"])
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2), "translate": None, "bilingual": None}


def _python_messages() -> dict[str, list[tuple[str, int]]]:
    """Strings in message positions that the plain keyword scan misses: exception classes'
    ``message = "…"``, ``raise SomeError("…")``, ``{"message": "…"}`` and ``errors.add(…, "…")``."""
    found: dict[str, list[tuple[str, int]]] = {}

    def add(text: str, path: Path, line: int) -> None:
        found.setdefault(text, []).append((str(path.relative_to(ROOT)), line))

    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "message" for t in node.targets
            ):
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    add(node.value.value, path, node.lineno)
            elif isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=False):
                    if (
                        isinstance(k, ast.Constant)
                        and k.value == "message"
                        and isinstance(v, ast.Constant)
                        and isinstance(v.value, str)
                    ):
                        add(v.value, path, node.lineno)
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if (
                    name != "ValueError"
                    and name.endswith(
                        (
                            "Error",
                            "Failed",
                            "Rejected",
                            "Forbidden",
                            "Conflict",
                            "NotFound",
                            "Unauthenticated",
                        )
                    )
                    and (
                        node.args
                        and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)
                    )
                ):
                    add(node.args[0].value, path, node.lineno)
                if (
                    name == "add"
                    and len(node.args) >= 4
                    and isinstance(node.args[3], ast.Constant)
                    and isinstance(node.args[3].value, str)
                ):
                    add(node.args[3].value, path, node.lineno)
    return found


def extract() -> Catalog:
    catalog = Catalog(project="yingji", charset="utf-8")
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "false"}}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), method_map, options_map=options, keywords=KEYWORDS, comment_tags=("i18n:",)
    ):
        if "migrations" in filename or message in NOT_MESSAGES:
            continue
        catalog.add(
            message, locations=[(f"src/yingji/{filename}", lineno)], auto_comments=comments, context=context
        )
    for text, locations in _python_messages().items():
        if text.strip():
            catalog.add(text, locations=locations)
    return catalog


def po_path(locale: str) -> Path:
    return PACKAGE / "locale" / locale / "LC_MESSAGES" / "yingji.po"


def refresh(check: bool) -> int:
    template = extract()
    problems = []
    for locale in LOCALES:
        path = po_path(locale)
        old = read_po(path.open("rb"), locale=locale) if path.exists() else Catalog(locale=locale)
        new = Catalog(locale=locale, project="yingji", charset="utf-8")
        for msg in template:
            if not msg.id:
                continue
            prior = old.get(msg.id)
            new.add(msg.id, prior.string if prior else "", locations=msg.locations)
            if locale == "zh_CN" and not (prior and prior.string):
                problems.append(f"{locale}: no translation for {msg.id!r}")
        stale = [m.id for m in old if m.id and m.id not in template]
        buf = BytesIO()
        write_po(buf, new, width=100, omit_header=False, sort_output=True, include_previous=False)
        if check:
            if stale:
                problems += [f"{locale}: unused entry {s!r}" for s in stale]
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(buf.getvalue())
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if (check and problems) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    sys.exit(refresh(parser.parse_args().check))
