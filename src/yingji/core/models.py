"""Declarative base and the mixins every domain table uses."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from yingji.core import clock
from yingji.core import text as _text  # noqa: F401 - registers the guard that cleans text on flush
from yingji.core.errors import ValidationFailed
from yingji.core.types import BigId, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(column: str, values) -> str:
    """The SQL of a CHECK that ``column`` holds one of ``values`` (strings or the members of a StrEnum):
    every code table's constraint, written from its enum so the two cannot drift apart."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar = {datetime: UTCDateTime()}


class IdMixin:
    id: Mapped[int] = mapped_column(BigId, primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class Audited:
    """Marker: every insert, update and delete of this table lands in the audit log.

    Columns listed in ``__audit_exclude__`` (secrets, bulky geometry) are left out of the
    before/after snapshots.
    """

    __audit_exclude__: frozenset[str] = frozenset()


def apply_changes(row: Base, changes: dict) -> None:
    """Set a patch's ``changes`` on ``row``. An explicit null for a column that cannot be empty is
    refused as a 422 naming the fields (it would otherwise reach the database as an integrity error)."""
    columns = row.__table__.c
    empty = [
        key
        for key, value in changes.items()
        if value is None and key in columns and not columns[key].nullable
    ]
    if empty:
        raise ValidationFailed(
            details=[{"field": key, "message": "This field cannot be empty."} for key in empty]
        )
    for key, value in changes.items():
        setattr(row, key, value)
