"""Every name people use for a place: the legal name (北门社区居民委员会), the common name (北门社区,
茶园山村, 桐木坪乡, 玉屏县), the bare name (北门, 环北, 玉屏), the office (环北街道办事处), pinyin
(beimenshequ) and pinyin initials (bmsq). Fuzzy matching (typos, homophones) is rapidfuzz's and
pinyin is pypinyin's: no scoring of our own.

The index is built once per process and database, and rebuilt when the divisions change (a cheap
aggregate over the table is the data version), so a query costs dictionary look-ups and one
rapidfuzz scan of the ~3,000 names above village-group level.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from yingji import rules
from yingji.core import i18n
from yingji.core.db import database_url
from yingji.org.codes import ancestors
from yingji.org.models import Jurisdiction

# How a name was matched, best first.
LEGAL, COMMON, OFFICE, BARE, PINYIN, INITIALS, FUZZY = range(7)
STRONG = OFFICE  # tiers up to this one are whole names that beat a topic word of the same length
CJK_CUTOFF = 75.0  # rapidfuzz ratio (0–100) for a typed name against a name: one wrong character in four
PINYIN_CUTOFF = 85.0  # the same on pinyin, which forgives homophones and near-homophones (dabocun ~ dapocun)
GROUP_CODE_LENGTH = 15
PATH_SEP = " · "
FUZZY_LEVELS = ("province", "city", "county", "town", "village")  # groups only by their exact name


@dataclass(frozen=True)
class Place:
    code: str
    name: str  # legal
    level: str
    parent_code: str | None
    common: str  # what people call it and what paths show


@dataclass
class Match:
    """A place named in a query: what was typed, how it matched and the candidate places."""

    text: str
    tier: int
    codes: list[str]
    score: float = 100.0


@cache
def words() -> dict:
    return rules.load("directory_words.json")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def is_latin(text: str) -> bool:
    return bool(re.fullmatch(r"[a-z]+", text))


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower()


def initials(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()


def _ethnic() -> re.Pattern:
    groups = "|".join(sorted(words()["ethnic_groups"], key=len, reverse=True))
    return re.compile(f"(?:{groups})+(?=(?:自治县|自治州|乡|镇)$)")


def aliases(name: str, level: str) -> list[tuple[str, int]]:
    """The names people use for a division, with their tier (legal first)."""
    w = words()
    out = [(name, LEGAL)]
    common = name
    if level == "village":
        for suffix, kind in w["village_suffixes"].items():
            if name.endswith(suffix) and len(name) > len(suffix):
                stem = name[: -len(suffix)]
                common = stem if stem.endswith(kind) else stem + kind
                out.append((common, COMMON))
                break
    elif level in ("county", "town", "city"):
        plain = _ethnic().sub("", name)
        if plain.endswith("自治县"):
            plain = plain[: -len("自治县")] + "县"
        if plain != name:
            common = plain
            out.append((plain, COMMON))
        for ending, offices in w["office_suffixes"].items():
            if common.endswith(ending):
                stem = common[: -len(ending)]
                out += [(stem + o, OFFICE) for o in offices if len(stem) >= 2]
    # The bare name; a village group's too (龙井寨 for 龙井寨组: it yields to a village of that name).
    for suffix in w["bare_suffixes"]:
        if common.endswith(suffix) and len(common) - len(suffix) >= 2:
            out.append((common[: -len(suffix)], BARE))
            break
    seen: set[str] = set()
    return [(a, t) for a, t in out if not (a in seen or seen.add(a))]


def common_name(name: str, level: str) -> str:
    found = [a for a, t in aliases(name, level) if t == COMMON]
    return found[0] if found else name


@dataclass
class PlaceIndex:
    places: dict[str, Place] = field(default_factory=dict)
    exact: dict[str, dict[str, int]] = field(default_factory=dict)  # alias → code → tier
    latin: dict[str, dict[str, int]] = field(default_factory=dict)  # pinyin / initials → code → tier
    fuzzy_cjk: list[str] = field(default_factory=list)  # names above group level, for rapidfuzz
    fuzzy_py: list[str] = field(default_factory=list)
    longest: int = 0

    # The search part (aliases, pinyin, fuzzy lists: ~2 s for a city's 24,000 places) is built on
    # the first search; paths need only ``places`` (~0.1 s), so a list page never waits for pinyin.
    _searchable: bool = False
    _build_lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, row) -> None:
        code, name, level, parent = row
        self.places[code] = Place(code, name, level, parent, common_name(name, level))

    def finish(self) -> None:
        pass

    def _search_part(self) -> None:
        if self._searchable:
            return
        with self._build_lock:
            if self._searchable:
                return
            for place in self.places.values():
                self._add_names(place)
            self.fuzzy_cjk = sorted(set(self.fuzzy_cjk))
            self.fuzzy_py = sorted(set(self.fuzzy_py))
            self._searchable = True

    def _add_names(self, place: Place) -> None:
        code, level, common = place.code, place.level, place.common
        spoken = aliases(place.name, level)
        # One pypinyin call per place: the bare name's syllables are the common name's first ones.
        syllables = lazy_pinyin(common) if level in FUZZY_LEVELS else []
        for alias, tier in spoken:
            self.exact.setdefault(alias, {}).setdefault(code, tier)
            self.longest = max(self.longest, len(alias))
            if level not in FUZZY_LEVELS:
                continue
            if tier <= COMMON:
                self.fuzzy_cjk.append(alias)
            if tier in (COMMON, BARE) or (tier == LEGAL and level != "village"):
                if common.startswith(alias) and len(syllables) == len(common):
                    parts = syllables[: len(alias)]
                else:
                    parts = lazy_pinyin(alias)
                py = "".join(parts).lower()
                self.latin.setdefault(py, {}).setdefault(code, PINYIN)
                self.fuzzy_py.append(py)
                ini = "".join(p[:1] for p in parts).lower()
                if len(ini) >= 3:
                    self.latin.setdefault(ini, {}).setdefault(code, INITIALS)

    # -- look-ups -----------------------------------------------------------------------
    def _best(self, entries: dict[str, int], tier: int | None = None) -> Match | None:
        if not entries:
            return None
        best = min(entries.values())
        codes = sorted(c for c, t in entries.items() if t == best)
        above_groups = [c for c in codes if len(c) <= GROUP_CODE_LENGTH - 3]
        return Match("", best if tier is None else tier, above_groups or codes)

    def occurrences(self, text: str, max_tier: int = BARE) -> list[tuple[int, int, Match]]:
        """Exact names occurring in ``text`` (every substring is looked up: texts are short)."""
        self._search_part()
        out = []
        for i in range(len(text)):
            for j in range(i + 2, min(len(text), i + self.longest) + 1):
                entries = self.exact.get(text[i:j])
                if entries:
                    m = self._best({c: t for c, t in entries.items() if t <= max_tier})
                    if m:
                        m.text = text[i:j]
                        out.append((i, j, m))
        return out

    def lookup(self, text: str) -> Match | None:
        """A whole typed word: an exact name, its pinyin or initials, a homophone."""
        self._search_part()
        m = self._best(self.exact.get(text, {}))
        if m is None:
            m = self._best(self.latin.get(text if is_latin(text) else pinyin(text), {}))
            if m is not None and not is_latin(text):
                m.tier = FUZZY  # a homophone of the name: a typo
        if m is not None:
            m.text = text
        return m

    def fuzzy(self, text: str) -> Match | None:
        """The nearest names by rapidfuzz's ratio, on the characters or on their pinyin; all
        names sharing the best score are candidates (a choice, never a silent pick)."""
        self._search_part()
        hits: list[tuple[str, float, dict[str, int]]] = []
        if has_cjk(text) and len(text) >= 3:
            for alias, score, _ in process.extract(
                text, self.fuzzy_cjk, scorer=fuzz.ratio, score_cutoff=CJK_CUTOFF, limit=8
            ):
                hits.append((alias, score, self.exact[alias]))
        key = pinyin(text) if has_cjk(text) else text
        if len(key) >= 5:
            for py, score, _ in process.extract(
                key, self.fuzzy_py, scorer=fuzz.ratio, score_cutoff=PINYIN_CUTOFF, limit=8
            ):
                hits.append((py, score, self.latin[py]))
        if not hits:
            return None
        top = max(s for _, s, _ in hits)
        codes = sorted({c for _, s, entries in hits if s == top for c in entries})
        return Match(text, FUZZY, codes, top)

    # -- paths --------------------------------------------------------------------------
    def path(self, code: str, top: str = "county") -> list[Place]:
        """From the county (or ``top``) down to the place itself."""
        chain = [self.places[c] for c in [*ancestors(code), code] if c in self.places]
        levels = ("province", "city", "county", "town", "village", "group")
        start = levels.index(top)
        return [p for p in chain if levels.index(p.level) >= start] or chain[-1:]

    def path_text(self, code: str, sep: str = " · ") -> str:
        return sep.join(p.common for p in self.path(code))

    def short_path(self, code: str | None, within: str = "", sep: str = PATH_SEP) -> str:
        """The place as a reader places it: common names from the county down (a city officer
        reads 县 · 镇 · 村), without the levels the reader's own jurisdiction ``within`` already
        says (a county officer reads 镇 · 村); the place itself always shows. An unknown code
        shows as it is."""
        if not code:
            return ""
        chain = self.path(code)
        if not chain:
            return code
        kept = [p for p in chain if not (within and within.startswith(p.code))] or chain[-1:]
        return sep.join(p.common for p in kept)

    def legal_path(self, code: str | None) -> str:
        """The full legal path, province to the place (贵州省铜仁市…北门社区居民委员会): the hover title."""
        if not code:
            return ""
        chain = [self.places[c].name for c in [*ancestors(code), code] if c in self.places]
        return "".join(chain) or code

    def short_paths(self, codes, within: str = "", limit: int = 3) -> str:
        """Several places (a warning's area): the first ``limit`` paths, then 等N处 for the rest."""
        unique = list(dict.fromkeys(c for c in codes if c))
        shown = "、".join(self.short_path(c, within) for c in unique[:limit])
        rest = len(unique) - limit
        return i18n.gettext("{places} and {n} more places", places=shown, n=rest) if rest > 0 else shown


VERSION_CHECK_S = 10.0  # how often the data version is asked for: a renamed place shows within 10 s
_lock = threading.Lock()
_building = threading.Lock()  # one index build at a time (see index())
_indexes: dict[str, tuple[tuple, float, PlaceIndex]] = {}


def _version(session: Session) -> tuple:
    """The divisions' data version: cheap, and changes when a division is added, removed or renamed
    (to a name of another length: a same-length rename waits for the next process)."""
    return tuple(
        session.execute(
            select(func.count(), func.max(Jurisdiction.code), func.sum(func.length(Jurisdiction.name)))
        ).one()
    )


def forget() -> None:
    """Drop every cached index: the next look-up rebuilds (divisions were imported or renamed)."""
    with _lock:
        _indexes.clear()


def forget_after_commit(session: Session) -> None:
    """Drop the cached indexes once this session's change of divisions is committed (a rename of the
    same length is not seen by the data version; other processes see it at their next start)."""
    event.listen(session, "after_commit", lambda _s: forget(), once=True)


def index(session: Session) -> PlaceIndex:
    """The place-name index of this session's database, built once per data version."""
    key = database_url(session)
    now = time.monotonic()
    with _lock:
        hit = _indexes.get(key)
    if hit is not None and now - hit[1] < VERSION_CHECK_S:
        return hit[2]
    version = _version(session)
    if hit is not None and hit[0] == version:
        with _lock:
            _indexes[key] = (version, now, hit[2])
        return hit[2]
    # Built by one request at a time: a province's index takes seconds, and fifty users arriving
    # at once would otherwise build fifty of them (the others wait, then take the first one's).
    with _building:
        with _lock:
            hit = _indexes.get(key)
        if hit is not None and hit[0] == version:
            return hit[2]
        return _build(session, key, version, now)


def _build(session: Session, key: str, version, now: float) -> PlaceIndex:
    built = PlaceIndex()
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level, Jurisdiction.parent_code)
    )
    for row in rows:
        built.add(tuple(row))
    built.finish()
    with _lock:
        _indexes[key] = (version, now, built)
    return built


def place_path(session: Session, code: str | None, within: str = "") -> str:
    """A place's short path for exports and documents (县 · 镇 · 村), from the in-memory index:
    the one function every export, sitrep and document uses (pages use the ``place`` filter)."""
    return index(session).short_path(code, within)


def place_paths(session: Session, codes, within: str = "", limit: int = 3) -> str:
    return index(session).short_paths(codes, within, limit)
