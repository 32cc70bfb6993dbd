"""Kept for ``files.kinds.KIND_MODULES``: the hidden-danger ledger sheet is ``danger_sheet``."""

from yingji.risk.danger_sheet import *  # noqa: F403
