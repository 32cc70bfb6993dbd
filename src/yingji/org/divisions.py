"""Import statistical divisions (province → village) from a CSV of ``code,name,level,parent_code``.

The package ships Guizhou's list (see ``yingji/data/README.md``); a deployment elsewhere imports
its own province's file the same way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.core.errors import ImportRejected
from yingji.org import codes, names
from yingji.org.models import Jurisdiction

PACKAGED = "guizhou.csv"


def read_rows(path: Path | None = None) -> list[dict]:
    if path is None:
        text = (files("yingji.data") / "divisions" / PACKAGED).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _validated(rows: Iterable[dict], under: str | None) -> list[dict]:
    errors, out = [], []
    for lineno, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        level = (row.get("level") or "").strip()
        parent = (row.get("parent_code") or "").strip() or None
        try:
            code = codes.normalise(code)
            expected = codes.level_of(code)
        except ValueError:
            errors.append({"row": lineno, "column": "code", "value": code, "message": "Not a division code."})
            continue
        if level != expected:
            errors.append(
                {
                    "row": lineno,
                    "column": "level",
                    "value": level,
                    "message": "The level does not match the code length.",
                }
            )
            continue
        if parent is not None:
            parent = codes.normalise(parent)
        if not name:
            errors.append({"row": lineno, "column": "name", "value": "", "message": "A name is required."})
            continue
        if under and not (code.startswith(under) or under.startswith(code)):
            continue
        out.append({"code": code, "name": name, "level": level, "parent_code": parent})
    if errors:
        raise ImportRejected(details=errors, count=len(errors))
    return out


def import_divisions(session: Session, rows: list[dict], under: str | None = None) -> dict[str, int]:
    """Insert new divisions and rename changed ones; ``under`` keeps one subtree (plus its
    ancestors). Parents are inserted before children."""
    wanted = _validated(rows, under)
    existing = dict(session.execute(select(Jurisdiction.code, Jurisdiction.name)).all())
    new = sorted((r for r in wanted if r["code"] not in existing), key=lambda r: len(r["code"]))
    renamed = [r for r in wanted if r["code"] in existing and existing[r["code"]] != r["name"]]
    for r in new:
        r["geometry_source"] = None
    if new:
        session.execute(insert(Jurisdiction), new)
    for r in renamed:
        session.execute(update(Jurisdiction).where(Jurisdiction.code == r["code"]).values(name=r["name"]))
    if new or renamed:
        names.forget_after_commit(session)  # paths and the directory show the new names at once
    audit.record_many(
        session,
        audit.entries_for_bulk(
            session,
            "import",
            "jurisdictions",
            [(r["code"], r["code"], None, r) for r in new]
            + [(r["code"], r["code"], {"name": existing[r["code"]]}, {"name": r["name"]}) for r in renamed],
        ),
    )
    return {"inserted": len(new), "renamed": len(renamed), "unchanged": len(wanted) - len(new) - len(renamed)}
