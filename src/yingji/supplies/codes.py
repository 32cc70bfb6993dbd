"""The states of supplies records, as ``StrEnum`` members (the same strings in the database and JSON).

A receipt, issue or count is ``DONE`` when posted; a transfer is ``IN_TRANSIT`` until the receiving
store confirms it: ``PARTIAL`` while some is still on its way, ``RECEIVED`` when nothing is (moves in
``transfers.confirm``). A maintenance task is ``OPEN`` until its check is recorded."""

from __future__ import annotations

from enum import StrEnum


class DocumentState(StrEnum):
    DONE = "done"
    IN_TRANSIT = "in_transit"
    PARTIAL = "partial"
    RECEIVED = "received"


ARRIVING = (DocumentState.IN_TRANSIT, DocumentState.PARTIAL)  # transfers still to be received


class MaintenanceState(StrEnum):
    OPEN = "open"
    DONE = "done"
