"""Secrets out of logs and stored error texts.

:func:`redact` masks what looks like a secret in a text: passwords in URLs
(``postgresql://user:***@host``), secret query parameters (WeCom's ``key=``, DingTalk's
``access_token=`` and ``sign=``, ``token=``, ``password=`` …), ``name: value`` / ``name=value`` pairs
whose name says secret (``api_key``, ``callback_token``, ``password``, ``Authorization`` …), bearer
and Yingji API tokens, signed acknowledgement links; and every value registered with
:func:`register` (adapters register their keys, tokens and passwords when configured, so a server
that echoes one back in an error is masked too).

:class:`RedactFilter` applies it to every log record (message, arguments, traceback) on the handlers
Yingji configures (``yingji serve``, ``worker``, ``ingest`` … through :func:`configure_logging`, and
uvicorn's own through :func:`uvicorn_log_config`). Texts that are stored (a job's ``last_error``, a
delivery's ``detail``) are masked where they are made: the notify adapters' errors and receipts.
"""

from __future__ import annotations

import copy
import logging
import re
import threading
import traceback

MASK = "***"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MIN_REGISTERED = 6  # shorter values would mask ordinary words

# names whose value is a secret, as ``name=value`` or ``"name": "value"`` anywhere
_SECRET_NAMES = r"[\w-]*(?:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key)"
# and, in a URL's query string only, the short names robots use (WeCom ``key``, DingTalk ``sign``)
_QUERY_NAMES = rf"key|sign|signature|pwd|{_SECRET_NAMES}"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/:@?#]*:)[^\s/@?#]+(?=@)"), r"\1" + MASK),
    # Authorization: Bearer xyz / "authorization": "Basic xyz" (keep the scheme, mask the credential)
    (
        re.compile(
            r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token|digest)\s+)?)(?!\*)[^\s\"',;}]+"
        ),
        r"\1" + MASK,
    ),
    (re.compile(r"(?i)\b(bearer\s+)[\w.~+/=-]{6,}"), r"\1" + MASK),
    (re.compile(rf"(?i)([?&;](?:{_QUERY_NAMES})=)(?!\*)[^&\s#\"'<>]+"), r"\1" + MASK),
    (
        re.compile(
            rf"(?i)((?<![\w-])(?:{_SECRET_NAMES})[\"']?\s*[:=]\s*[\"']?)(?![*\s]|None\b)[^\s\"'&,;}}<>)\]]+"
        ),
        r"\1" + MASK,
    ),
    (re.compile(r"\byj_[\w-]{16,}"), "yj_" + MASK),  # Yingji API tokens
    (re.compile(r"(/ack/)[\w.-]{10,}"), r"\1" + MASK),  # signed acknowledgement links
]

_registered: set[str] = set()
_registered_re: re.Pattern[str] | None = None
_lock = threading.Lock()


def register(*values: str | None) -> None:
    """Mask these exact values wherever they appear (keys, tokens, passwords from configs)."""
    global _registered_re
    fresh = {v for v in values if v and len(v) >= MIN_REGISTERED and v not in _registered}
    if not fresh:
        return
    with _lock:
        _registered.update(fresh)
        # longest first, so a secret that contains another is masked whole
        alternatives = "|".join(re.escape(v) for v in sorted(_registered, key=len, reverse=True))
        _registered_re = re.compile(alternatives)


def redact(text: str) -> str:
    """``text`` with every secret in it masked."""
    if not text:
        return text
    known = _registered_re
    if known is not None:
        text = known.sub(MASK, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _plain(value: object) -> bool:
    return value is None or isinstance(value, int | float | bool)


class RedactFilter(logging.Filter):
    """Masks secrets in a log record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record: let logging report it as usual
            return True
        if redact(message) != message:
            self._rewrite(record, message)
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True

    @staticmethod
    def _rewrite(record: logging.LogRecord, message: str) -> None:
        # Keep the record's shape where we can (uvicorn's access formatter reads its arguments),
        # else keep only the masked text.
        if isinstance(record.args, tuple) and isinstance(record.msg, str):
            args = tuple(a if _plain(a) else redact(str(a)) for a in record.args)
            try:
                rendered = redact(record.msg) % args
            except (TypeError, ValueError):
                rendered = None
            if rendered is not None and redact(rendered) == rendered:
                record.msg, record.args = redact(record.msg), args
                return
        record.msg, record.args = redact(message), ()


def install_filter(handlers: list[logging.Handler] | None = None) -> None:
    """Put the filter on these handlers (default: the root logger's), once each."""
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        if not any(isinstance(f, RedactFilter) for f in handler.filters):
            handler.addFilter(RedactFilter())


def configure_logging(level: int) -> None:
    """Yingji's logging for every command: one line per record on stderr, secrets masked."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    install_filter()


def uvicorn_log_config(level: int) -> dict:
    """uvicorn's logging config with the filter on its handlers, and the root logger configured the
    same way in every server process (``--workers`` starts processes that never ran the CLI)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": "yingji.core.redact.RedactFilter"}}
    config["formatters"]["yingji"] = {"format": LOG_FORMAT}
    config["handlers"]["yingji"] = {
        "class": "logging.StreamHandler",
        "formatter": "yingji",
        "stream": "ext://sys.stderr",
    }
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    config["root"] = {"handlers": ["yingji"], "level": logging.getLevelName(level)}
    return config
