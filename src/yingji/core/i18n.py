"""Translations from gettext catalogs (``yingji/locale/<lang>/LC_MESSAGES/<domain>.po``).

Message ids are English; Simplified Chinese is the default locale. Each domain (org, auth, duty …)
keeps its own catalog so that domains can be translated independently; at first use all catalogs
of a language are merged and compiled in memory, so the .po files are the only thing to edit.
"""

from __future__ import annotations

import gettext as _gettext
import io
from contextvars import ContextVar
from functools import cache
from importlib.resources import files

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_NAMES = {"zh_CN": "简体中文", "en": "English"}
DOMAIN = "yingji"

_current: ContextVar[str] = ContextVar("yingji_locale", default=DEFAULT_LOCALE)


def catalog_dir(locale: str):
    return files("yingji") / "locale" / locale / "LC_MESSAGES"


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    folder = catalog_dir(locale)
    if not folder.is_dir():
        return _gettext.NullTranslations()
    merged = Catalog(locale=locale, domain=DOMAIN)
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".po"):
            continue
        with path.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                if message.id:
                    merged[message.id] = message
    buf = io.BytesIO()
    write_mo(buf, merged)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def normalise_locale(value: str | None) -> str:
    if not value:
        return DEFAULT_LOCALE
    v = value.replace("-", "_")
    if v.lower().startswith("zh"):
        return "zh_CN"
    if v.lower().startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def set_locale(locale: str):
    return _current.set(normalise_locale(locale))


def reset_locale(token) -> None:
    _current.reset(token)


def current_locale() -> str:
    return _current.get()


def gettext(message: str, **params) -> str:
    text = translations(current_locale()).gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, **params) -> str:
    text = translations(current_locale()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text.format(**params)


def translate(message: str, locale: str, **params) -> str:
    text = translations(normalise_locale(locale)).gettext(message)
    return text.format(**params) if params else text


def bilingual(message: str, **params) -> tuple[str, str]:
    """(Chinese, English): API errors carry both, Chinese first."""
    return translate(message, "zh_CN", **params), translate(message, "en", **params)


_ = gettext


def N_(message: str) -> str:
    """Marks a string for extraction; translated later where it is shown."""
    return message
