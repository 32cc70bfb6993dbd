"""The response part read as the printed plan's 应急响应 chapter: one list of blocks (headings and
paragraphs) that the page shows and the DOCX download writes, so both say the same thing."""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from yingji.plans import conditions
from yingji.plans.codes import ActionRole

KIND_NAMES = {
    "overall": "总体应急预案",
    "special": "专项应急预案",
    "department": "部门应急预案",
    "joint": "联合应急预案",
    "catastrophe": "巨灾应急预案",
    "major_event": "重大活动应急预案",
    "township": "乡镇（街道）应急预案",
    "village": "村（社区）应急预案",
    "unit": "单位应急预案",
    "enterprise_comprehensive": "企业综合应急预案",
    "enterprise_special": "企业专项应急预案",
    "onsite_procedure": "现场处置方案",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMERALS = "一二三四五六七八九十"


@dataclass
class Block:
    kind: str  # h1, h2, h3, p, item
    text: str


def duration(minutes: int | None) -> str:
    """30 → 30分钟, 120 → 2小时, 90 → 1小时30分钟, 1440 → 1天."""
    if not minutes:
        return ""
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((days, "天"), (hours, "小时"), (mins, "分钟")) if n)


def _resources(rows: list[dict]) -> str:
    parts = []
    for r in rows or []:
        q = r.get("quantity")
        quantity = "" if q is None else (str(int(q)) if float(q).is_integer() else str(q))
        parts.append(f"{r.get('item', '')}{quantity}{r.get('unit') or ''}")
    return "、".join(parts)


def _action_text(a: dict) -> str:
    text = a["title"].rstrip("。；;.")
    if a.get("due_minutes"):
        text += f"（{duration(a['due_minutes'])}内）"
    text += "。"
    if a.get("detail"):
        text += a["detail"].rstrip() + ("" if a["detail"].rstrip().endswith("。") else "。")
    if a.get("resources"):
        text += f"携带：{_resources(a['resources'])}。"
    return text


def chapter(part: dict) -> list[Block]:
    """The chapter: grading of the response, then per level its trigger, who starts it, the measures of
    the HQ and each member unit, the notices and the checklist."""
    levels = part["levels"]
    blocks = [Block("h1", "应急响应")]
    if not levels:
        return [*blocks, Block("p", "本预案尚未录入应急响应分级和响应措施。")]
    names = "、".join(lv["label"] for lv in levels)
    blocks += [
        Block("h2", "一、分级响应"),
        Block(
            "p",
            f"按照突发事件的严重程度、影响范围和发展态势，本预案应急响应由高到低分为{names}{len(levels)}个级别。",
        ),
    ]
    for i, lv in enumerate(levels):
        blocks.append(Block("h2", f"{NUMERALS[i + 1]}、{lv['label']}响应"))
        subs: list[tuple[str, list[Block]]] = [("启动条件", [Block("p", lv["trigger_text"])])]
        described = conditions.describe(lv["conditions"])
        if described:
            subs[0][1].append(Block("p", f"平台判定条件（符合其一）：{'；'.join(described)}。"))
        if lv.get("decided_by"):
            subs.append(("启动程序", [Block("p", f"由{lv['decided_by']}决定启动{lv['label']}响应。")]))
        tasks = [a for a in lv["actions"] if a["kind"] == "task"]
        if tasks:
            order: list[str] = []
            by_unit: dict[str, list[dict]] = {}
            for a in sorted(tasks, key=lambda a: (a["role"] != ActionRole.HQ, a["seq"])):
                name = a["unit_name"] or "指挥部"
                if name not in by_unit:
                    order.append(name)
                by_unit.setdefault(name, []).append(a)
            rows = [
                Block("item", f"{k}. {name}：{''.join(_action_text(a) for a in by_unit[name])}")
                for k, name in enumerate(order, start=1)
            ]
            subs.append(("响应措施", rows))
        notices = [a for a in lv["actions"] if a["kind"] == "notice"]
        if notices:
            rows = [
                Block("item", f"{k}. {a['unit_name'] or '指挥部'}：{_action_text(a)}")
                for k, a in enumerate(notices, start=1)
            ]
            subs.append(("信息通报", rows))
        checks = [a for a in lv["actions"] if a["kind"] == "check"]
        if checks:
            subs.append(("工作检查清单", [Block("item", f"□ {_action_text(a)}") for a in checks]))
        for k, (title, rows) in enumerate(subs):
            blocks.append(Block("h3", f"（{NUMERALS[k]}）{title}"))
            blocks += rows
    return blocks


def docx(plan, part: dict) -> bytes:
    """The chapter as DOCX: 黑体 headings, 仿宋_GB2312 三号 body, the plan's title above it."""
    doc = Document()
    sizes = {"title": 22, "h1": 16, "h2": 16, "h3": 16, "p": 16, "item": 16}
    fonts = {"title": "方正小标宋简体", "h1": "黑体", "h2": "黑体", "h3": "楷体_GB2312", "p": "仿宋_GB2312"}

    def add(kind: str, text: str) -> None:
        para = doc.add_paragraph()
        fmt = para.paragraph_format
        fmt.space_after = Pt(0)
        if kind == "title":
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind in ("p", "item"):
            fmt.first_line_indent = Pt(32)
        run = para.add_run(text)
        font = fonts.get(kind, "仿宋_GB2312")
        run.font.name, run.font.size = font, Pt(sizes[kind])
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)

    add("title", plan.title)
    if plan.doc_number:
        add("p", plan.doc_number)
    for block in chapter(part):
        add(block.kind, block.text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
