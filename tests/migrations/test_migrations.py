"""One linear Alembic history that builds the whole schema from empty, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from yingji.core import migrate
from yingji.core.schema import metadata


def test_history_is_linear():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    heads = script.get_heads()
    assert len(heads) == 1
    for rev in script.walk_revisions():
        assert not isinstance(rev.down_revision, tuple), f"merge revision {rev.revision}"


def test_upgrade_from_empty_matches_the_models_and_downgrades(databases):
    db = databases.make("migrations", migrated=False)
    assert migrate.current(db.engine) is None
    migrate.upgrade(db.engine)
    assert migrate.is_current(db.engine)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []
    assert {"jurisdictions", "grid_cells", "people", "units", "users", "audit_log", "jobs"} <= set(
        inspect(db.engine).get_table_names()
    )
    migrate.downgrade(db.engine, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(db.engine)
    assert migrate.is_current(db.engine)


def test_the_app_refuses_an_old_schema(databases):
    import pytest
    from fastapi.testclient import TestClient

    from yingji.app import SchemaOutOfDate, create_app

    db = databases.make("stale", migrated=False)
    with pytest.raises(SchemaOutOfDate), TestClient(create_app(db.settings, db, start_worker=False)):
        pass
