"""Extract messages into the per-domain gettext catalogs and check them.

    python scripts/i18n.py                 # refresh every catalog
    python scripts/i18n.py --domain duty   # refresh only src/yingji/locale/*/LC_MESSAGES/duty.po
    python scripts/i18n.py --check         # exit 1 if an entry lacks its Chinese or is stale

Message ids are English. A message belongs to the catalog that already holds it, else to the domain
of its first use: ``src/yingji/<domain>/…``, or ``web/templates/<domain>/…`` for templates
(other templates belong to ``web``). Python files are scanned for _(), gettext(), N_() and
translate(), and for the message strings of errors: ``message = "…"`` in error classes,
``raise SomeError("…")``, ``{"message": "…"}`` and ``errors.add(row, column, value, "…")``.
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
ERROR_SUFFIXES = ("Error", "Failed", "Rejected", "Forbidden", "Conflict", "NotFound", "Unauthenticated")


def _python_messages() -> dict[str, list[tuple[str, int]]]:
    """Strings in message positions that the keyword scan misses."""
    found: dict[str, list[tuple[str, int]]] = {}

    def add(node: ast.AST | None, path: Path, line: int) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
            found.setdefault(node.value, []).append((str(path.relative_to(ROOT)), line))

    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "message" for t in node.targets
            ):
                add(node.value, path, node.lineno)
            elif isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=False):
                    if isinstance(k, ast.Constant) and k.value == "message":
                        add(v, path, node.lineno)
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name != "ValueError" and name.endswith(ERROR_SUFFIXES) and node.args:
                    add(node.args[0], path, node.lineno)
                if name == "add" and len(node.args) >= 4:
                    add(node.args[3], path, node.lineno)
    return found


def extract() -> dict[str, list[tuple[str, int]]]:
    """msgid → locations, over the whole package."""
    messages: dict[str, list[tuple[str, int]]] = {}
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "false"}}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map, options_map=options, keywords=KEYWORDS
    ):
        if "migrations" in filename or message in NOT_MESSAGES or not isinstance(message, str):
            continue
        messages.setdefault(message, []).append((f"src/yingji/{filename}", lineno))
    for text, locations in _python_messages().items():
        messages.setdefault(text, []).extend(locations)
    return {m: sorted(set(locs)) for m, locs in messages.items()}


def domain_of_location(path: str) -> str:
    parts = Path(path).parts  # src/yingji/<domain>/…
    domain = parts[2] if len(parts) > 3 else "core"
    if domain == "web" and len(parts) > 5 and parts[3] == "templates" and (PACKAGE / parts[4]).is_dir():
        return parts[4]
    return domain


def catalog_dir(locale: str) -> Path:
    return PACKAGE / "locale" / locale / "LC_MESSAGES"


def load(locale: str) -> dict[str, Catalog]:
    folder = catalog_dir(locale)
    return {p.stem: read_po(p.open("rb"), locale=locale) for p in sorted(folder.glob("*.po"))}


def assign(messages: dict[str, list], existing: dict[str, Catalog]) -> dict[str, str]:
    """msgid → domain: where it already is, else where it is first used."""
    home = {m.id: domain for domain, cat in existing.items() for m in cat if m.id}
    return {msgid: home.get(msgid) or domain_of_location(locs[0][0]) for msgid, locs in messages.items()}


def refresh(only: str | None, check: bool) -> int:
    messages = extract()
    problems: list[str] = []
    zh_home = assign(messages, load("zh_CN"))
    for locale in LOCALES:
        existing = load(locale)
        seen: dict[str, str] = {}
        for domain, cat in existing.items():
            for m in cat:
                if m.id and m.id in seen:
                    problems.append(f"{locale}: {m.id!r} is in both {seen[m.id]}.po and {domain}.po")
                seen.setdefault(m.id, domain)
        domains = sorted(set(zh_home.values()) | set(existing))
        for domain in domains:
            if only and domain != only:
                continue
            old = existing.get(domain) or Catalog(locale=locale)
            new = Catalog(locale=locale, project="yingji", domain=domain, charset="utf-8")
            for msgid in sorted(m for m, d in zh_home.items() if d == domain):
                prior = old.get(msgid)
                new.add(msgid, prior.string if prior else "", locations=messages[msgid])
                if locale == "zh_CN" and not (prior and prior.string):
                    problems.append(f"zh_CN/{domain}.po: no translation for {msgid!r}")
            stale = [m.id for m in old if m.id and zh_home.get(m.id) != domain]
            problems += [f"{locale}/{domain}.po: unused entry {s!r}" for s in stale]
            if not check:
                path = catalog_dir(locale) / f"{domain}.po"
                if len(new) == 0:
                    path.unlink(missing_ok=True)
                    continue
                buf = BytesIO()
                write_po(buf, new, width=100, sort_output=True)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(buf.getvalue())
    for p in problems:
        print(p, file=sys.stderr)
    if check:
        return 1 if problems else 0
    missing = [p for p in problems if "no translation" in p]
    return 1 if missing else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--domain", default=None, help="only refresh this domain's catalog")
    args = parser.parse_args()
    sys.exit(refresh(args.domain, args.check))
