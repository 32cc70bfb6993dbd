"""Tip-offs (举报): the public channel (``channel``), the check and the reward workflow
(``rewards``), the officers' lists and the sealed contact (``handling``), statistics (``stats``).
The channel's names are re-exported: ``from yingji.risk import tipoffs; tipoffs.submit(...)``."""

from yingji.risk.tipoffs.channel import (  # noqa: F401
    COOKIE,
    DEFAULT_PER_HOUR,
    MAX_PHOTOS,
    TOKEN_MAX_AGE,
    WINDOW,
    TooManyTipoffs,
    issue,
    new_ref,
    status_of,
    submit,
    take_slot,
    towns,
    verify,
)
