"""Write (or rewrite) one domain's Alembic revision from the models.

    python scripts/migration.py REVISION DOWN_REVISION "message" TABLE [TABLE …]

A scratch SQLite database is upgraded to DOWN_REVISION, compared with the models, and the operations
on the named tables (new tables, and columns, indexes and constraints added to existing ones) are
written to ``src/yingji/migrations/versions/REVISION.py``. Later revisions are not touched; rerun it
after changing that domain's models. Review the file (SQLite renders ALTERs in batch mode).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path

from alembic.autogenerate import produce_migrations, render_python_code
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from yingji.core import migrate
from yingji.core.schema import metadata

VERSIONS = Path(__file__).resolve().parents[1] / "src" / "yingji" / "migrations" / "versions"


def _table_of(op) -> str | None:
    return getattr(op, "table_name", None)


def main(argv: list[str]) -> int:
    if len(argv) < 4:
        print(__doc__)
        return 2
    revision, down, message, *tables = argv
    wanted = set(tables)
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/m.db")
        migrate.upgrade(engine, down)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True, "target_metadata": metadata}
            )
            script = produce_migrations(ctx, metadata)
    keep = [o for o in script.upgrade_ops.ops if _table_of(o) in wanted]
    script.upgrade_ops.ops = keep
    script.downgrade_ops = ops.DowngradeOps(ops=[o.reverse() for o in reversed(keep)])
    up = render_python_code(script.upgrade_ops, render_as_batch=True).replace(
        "astext_type=Text()", "astext_type=sa.Text()"
    )
    down_code = render_python_code(script.downgrade_ops, render_as_batch=True)
    text = f'''"""{message}

These tables belong to this revision only; an earlier revision must not create them.

Revision ID: {revision}
Revises: {down}
Create Date: {datetime.now()}
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.types

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{up}


def downgrade() -> None:
{down_code}
'''
    (VERSIONS / f"{revision}.py").write_text(text)
    print(f"wrote {revision}.py: {len(keep)} operations on {sorted({_table_of(o) for o in keep})}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
