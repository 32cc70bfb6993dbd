"""Small builders of test data (Excel files, people) shared by the tests."""

from __future__ import annotations

import io

from openpyxl import Workbook


def xlsx(header: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, kind: str, data: bytes):
    return client.post(
        f"/api/v1/import/{kind}",
        files={
            "file": (
                f"{kind}.xlsx",
                data,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
    )
