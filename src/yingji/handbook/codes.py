"""Code tables of the handbook: file formats, an edition's states (with its transition table) and
who a distribution goes to."""

from __future__ import annotations

from enum import StrEnum

from yingji.core.i18n import N_


class Format(StrEnum):
    PDF = "pdf"
    DOCX = "docx"


MEDIA_TYPES = {
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class EditionState(StrEnum):
    QUEUED = "queued"  # a large place: waiting for the worker
    RUNNING = "running"
    DONE = "done"  # the file is written, its hash and page count known
    FAILED = "failed"


# The one transition table of an edition: a failed job may be retried by the queue (back to running).
EDITION_MOVES: dict[EditionState, frozenset[EditionState]] = {
    EditionState.QUEUED: frozenset({EditionState.RUNNING, EditionState.FAILED}),
    EditionState.RUNNING: frozenset({EditionState.DONE, EditionState.FAILED}),
    EditionState.FAILED: frozenset({EditionState.RUNNING}),
    EditionState.DONE: frozenset(),
}

STATE_LABELS = {
    EditionState.QUEUED: N_("Queued"),
    EditionState.RUNNING: N_("Being generated"),
    EditionState.DONE: N_("Ready"),
    EditionState.FAILED: N_("Failed"),
}


class RecipientKind(StrEnum):
    UNIT = "unit"  # a unit of the organisation (成员单位, 乡镇, 村)
    PERSON = "person"  # a named person (网格员, 队长 …)
    OTHER = "other"  # anyone else, by name (a school, an enterprise)


RECIPIENT_LABELS = {
    RecipientKind.UNIT: N_("Unit"),
    RecipientKind.PERSON: N_("Person"),
    RecipientKind.OTHER: N_("Other"),
}
