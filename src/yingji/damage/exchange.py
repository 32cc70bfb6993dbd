"""The quick-report form as Excel: 自然灾害损失情况统计快报表 (one row per town of the event's place, or
per village of a town; the indicators as columns in the form's order with their units, 累计 / 实时
where an indicator has both; header block 填报单位, 统计时间, 灾种) and the two named lists. A
process has at most a few hundred places, so the file is made in the request."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from yingji.core import clock
from yingji.damage import indicators, labels, namelists, rollup
from yingji.damage.models import DisasterEvent
from yingji.org import codes as division_codes
from yingji.org import places
from yingji.org.sheets import cell_value

FORM_TITLE = "自然灾害损失情况统计快报表"
CASUALTY_TITLE = "因灾死亡失踪人口一览表"
HOUSE_TITLE = "因灾倒塌损坏住房户一览表"
BOLD = Font(bold=True)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def form_columns() -> list[tuple[str, str, str]]:
    """(indicator, value kind, header) in the form's order; a 实时 column follows its 累计 column."""
    out = []
    for ind in indicators.indicators().values():
        name = f"其中: {ind.zh}" if ind.parent else ind.zh
        if ind.has_current:
            out.append((ind.code, "cumulative", f"{name} (累计)"))
            out.append((ind.code, "current", f"{name} (实时)"))
        else:
            out.append((ind.code, "cumulative", name))
    return out


def _put(ws, row, col, value, *, bold=False):
    cell = ws.cell(row=row, column=col, value=cell_value(value))
    if bold:
        cell.font = BOLD
    return cell


def workbook(session, principal, event: DisasterEvent, place: str | None = None) -> bytes:
    place = place or event.jurisdiction_code
    data = rollup.table(session, principal, event, place)
    units = indicators.indicators()
    cols = form_columns()
    wb = Workbook()
    ws = wb.active
    ws.title = FORM_TITLE
    width = len(cols) + 2
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=min(width, 12))
    _put(ws, 1, 1, FORM_TITLE, bold=True).font = Font(bold=True, size=14)
    name = places.names(session, [event.jurisdiction_code]).get(
        event.jurisdiction_code, event.jurisdiction_code
    )
    now = clock.to_local(clock.now())
    _put(ws, 2, 1, "填报单位")
    _put(ws, 2, 2, f"{name}应急管理局")
    _put(ws, 3, 1, "统计时间")
    _put(ws, 3, 2, now.strftime("%Y-%m-%d %H:%M"))
    _put(ws, 4, 1, "灾种")
    level = division_codes.level_of(event.jurisdiction_code)
    # The county reports the 亚灾种; the city and province the first-level hazard (2020 总说明 (二)2).
    zh = indicators.hazards().get(event.hazard, {})
    _put(ws, 4, 2, zh.get("zh", event.hazard) if level == "county" else zh.get("parent_zh", event.hazard))
    _put(ws, 5, 1, "灾害过程")
    _put(ws, 5, 2, f"{event.name} ({event.code})")
    head, unit_row = 7, 8
    _put(ws, head, 1, "地区", bold=True).alignment = CENTRE
    _put(ws, head, 2, "区划代码", bold=True).alignment = CENTRE
    _put(ws, unit_row, 1, "甲")
    _put(ws, unit_row, 2, "乙")
    for i, (code, _kind, header) in enumerate(cols, start=3):
        _put(ws, head, i, header, bold=True).alignment = CENTRE
        _put(ws, unit_row, i, units[code].unit).alignment = CENTRE
        ws.column_dimensions[get_column_letter(i)].width = 12
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 14
    r = unit_row + 1
    for row in [*data["rows"], data["total"] | {"name": f"合计 ({data['total']['name']})"}]:
        _put(ws, r, 1, row["name"])
        _put(ws, r, 2, division_codes.division_code_12(row["code"]))
        for i, (code, kind, _h) in enumerate(cols, start=3):
            cell = row["values"].get(code)
            value = cell.get(kind) if cell else None
            if value is not None:
                ws.cell(row=r, column=i, value=float(value))
        r += 1
    ws.freeze_panes = ws.cell(row=unit_row + 1, column=3)

    cs = wb.create_sheet(CASUALTY_TITLE)
    cs.append([CASUALTY_TITLE])
    cs.append(
        [
            "序号",
            "姓名",
            "性别",
            "年龄",
            "身份证号后四位",
            "类别",
            "区划代码",
            "住址",
            "死亡/失踪日期",
            "原因",
            "备注",
        ]
    )
    for n, c in enumerate(namelists.casualties(session, principal, event), start=1):
        cs.append(
            [
                n,
                cell_value(c.name),
                {"M": "男", "F": "女"}.get(c.gender or "", ""),
                c.age,
                c.id_tail,
                labels.CASUALTY_ZH.get(c.kind, c.kind),
                division_codes.division_code_12(c.jurisdiction_code),
                cell_value(c.address),
                c.on.isoformat() if c.on else None,
                cell_value(c.cause),
                "已找到" if c.found else cell_value(c.note),
            ]
        )
    hs = wb.create_sheet(HOUSE_TITLE)
    hs.append([HOUSE_TITLE])
    hs.append(
        [
            "序号",
            "户主姓名",
            "身份证号后四位",
            "联系电话",
            "区划代码",
            "户编号",
            "损坏程度",
            "间数",
            "结构",
            "备注",
        ]
    )
    for n, h in enumerate(namelists.houses(session, principal, event), start=1):
        out = namelists.house_out(h, principal)
        hs.append(
            [
                n,
                cell_value(h.head_name),
                h.id_tail,
                out["mobile"],
                division_codes.division_code_12(h.jurisdiction_code),
                cell_value(h.household),
                labels.DEGREE_ZH[h.degree],
                h.rooms,
                cell_value(h.structure),
                cell_value(h.note),
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
