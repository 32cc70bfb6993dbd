"""The ranking as Excel (the one sheet writer, ``org.sheets``): rank, unit, total, band, the veto and
its cause, then every indicator's points; the download is audited by the API (``auth.downloads``)."""

from __future__ import annotations

from yingji.assessment import labels, schemes
from yingji.assessment.models import AssessmentScheme
from yingji.org import sheets
from yingji.org.codes import division_code_12


def workbook(scheme: AssessmentScheme, rows: list[dict]) -> bytes:
    inds = [ind for _a, ind in schemes.indicators(scheme.definition)]
    columns = [
        sheets.Column("rank", "名次", "Rank", width=6),
        sheets.Column("code", "区划代码", "Division code", width=14),
        sheets.Column("name", "被考核单位", "Unit", width=18),
        sheets.Column("total", "得分", "Total", width=8),
        sheets.Column("raw", "否决前得分", "Before veto", width=10),
        sheets.Column("band", "等次", "Grade", width=8),
        sheets.Column("veto", "一票否决及原因", "Veto and cause", width=40),
    ] + [
        sheets.Column(
            f"i_{ind['key']}", f"{ind['zh']}（{ind['max']:g}分）", ind.get("en") or ind["key"], width=14
        )
        for ind in inds
    ]

    def lines():
        for r in rows:
            ex = r["explanation"]
            by_key = {line["key"]: line for line in ex["indicators"]}
            yield {
                "rank": r["rank"],
                "code": division_code_12(r["jurisdiction_code"]),
                "name": r["jurisdiction_name"] or r["jurisdiction_code"],
                "total": r["total"],
                "raw": r["raw_total"],
                "band": r["band_label"],
                "veto": "；".join(f"{v['item_zh']}：{v['cause_text']}" for v in ex["vetoes"]),
            } | {f"i_{k}": line["score"] for k, line in by_key.items()}

    return sheets.write(labels.text({"zh": "考核结果", "en": "Assessment results"}), columns, lines())
