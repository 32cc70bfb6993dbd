"""The handbook's content model, which both renderers (PDF and DOCX) write: a cover, then four parts
made of headings, paragraphs and tables; and the small helpers every part uses (phones masked for a
principal without CONTACT_PHONE, the subtree condition, Chinese numerals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from yingji.auth.scope import Principal, mask_phone
from yingji.core import clock
from yingji.org.codes import LEVEL_LENGTH, subtree_bounds

ZH = "zh_CN"
PARTS = ("指挥体系清单", "应急队伍清单", "装备物资清单", "操作手册")
NUMERALS = "一二三四五六七八九十"
LEVEL_ZH = {
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "town": "乡级",
    "village": "村级",
    "group": "组级",
}
# The bodies of a place's command system, in the order the list prints them.
BODY_KINDS = (
    "command_hq",
    "hq_office",
    "special_hq",
    "emergency_committee",
    "committee_office",
    "working_group",
    "service_station",
)
CHILD_HQ_KINDS = ("command_hq", "emergency_committee", "committee_office", "service_station")
KIND_ZH = {
    "command_hq": "总指挥部",
    "hq_office": "指挥部办公室",
    "special_hq": "专项指挥部",
    "emergency_committee": "应急管理委员会",
    "committee_office": "应急管理办公室",
    "working_group": "专项工作组",
    "service_station": "应急服务站",
}
UNIT_ROLE_ZH = {"lead": "牵头单位", "member": "成员单位"}


@dataclass
class Table:
    columns: list[str]
    widths: list[float]  # relative widths
    rows: list[list[str]]
    # columns (by index) set in the smaller size and left-aligned: long texts such as duties
    wide: tuple[int, ...] = ()


@dataclass
class Block:
    kind: str  # h2 (a chapter in a part, in the table of contents), h3, p, table
    text: str = ""
    table: Table | None = None


@dataclass
class Part:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def h2(self, text: str) -> None:
        self.blocks.append(Block("h2", text))

    def h3(self, text: str) -> None:
        self.blocks.append(Block("h3", text))

    def p(self, text: str) -> None:
        self.blocks.append(Block("p", text))

    def table(self, table: Table, empty: str = "（无）") -> None:
        if table.rows:
            self.blocks.append(Block("table", table=table))
        else:
            self.p(empty)


@dataclass
class Handbook:
    code: str
    place_name: str
    level: str
    title: str
    data_at: datetime  # when the data were read (the document's "data as of")
    masked: bool  # phones masked (the reader may not see numbers)
    parts: list[Part]
    summary: dict[str, int]

    @property
    def data_date(self) -> str:
        local = clock.to_local(self.data_at)
        return f"{local.year}年{local.month}月{local.day}日"


def phone(principal: Principal, *numbers: str | None) -> str:
    return " / ".join(mask_phone(n, principal) or "" for n in numbers if n)


def subtree(column, code: str):
    low, high = subtree_bounds(code)
    return (column >= low) & (column < high)


def title_of(place_name: str) -> str:
    return f"{place_name}应急管理“三清单一手册”"


def child_length(code: str) -> int | None:
    order = list(LEVEL_LENGTH.values())
    i = order.index(len(code))
    return order[i + 1] if i + 1 < len(order) and order[i + 1] <= 12 else None


def numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return f"{NUMERALS[tens - 1] if tens > 1 else ''}十{NUMERALS[ones - 1] if ones else ''}"


def chunks(ids: list[int], size: int = 900):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]
