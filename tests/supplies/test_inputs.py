"""The stock documents' inputs on the hot path: checked one level deep (each line cleans itself), with
the same result as the whole-tree cleaning of every ``Input``; a fingerprint that does not move."""

from __future__ import annotations

import hashlib
import json

import pytest
from pydantic import ValidationError

from yingji.core.text import clean_deep
from yingji.supplies import documents
from yingji.supplies.schemas import CountIn, IssueIn, OutLine, ReceiptIn


def test_texts_are_cleaned_at_every_level():
    data = ReceiptIn(
        client_key="key-00001",
        warehouse_id=1,
        note="到\x01货\x0b第二行",
        counterparty=" 供应商\x9b ",
        lines=[{"item_code": " C11\x01-01 ", "qty": 2, "batch_no": "B\x0c1", "owner_name": "代储\x7f"}],
    )
    assert (data.note, data.counterparty) == ("到货\n第二行", "供应商")
    line = data.lines[0]
    assert (line.item_code, line.batch_no, line.owner_name) == ("C11-01", "B\n1", "代储")
    count = CountIn(
        client_key="key-00002",
        warehouse_id=1,
        lines=[{"item_code": "C11-01", "counted": 3, "reason": "lo\x02st"}],
    )
    assert count.lines[0].reason == "lost"


def test_a_key_with_a_control_character_is_cleaned_as_before():
    raw = {"client_key": "key-00003", "warehouse_id": 1, "lines": [{"item_code": "C11-01", "qty\x01": 1}]}
    assert IssueIn(**raw) == IssueIn(**clean_deep(raw))
    top = {"client_key\x01": "key-00003", "warehouse_id": 1, "lines": [{"item_code": "C11-01", "qty": 1}]}
    assert IssueIn(**top).client_key == "key-00003"


def test_lines_given_as_models_or_malformed():
    lines = [OutLine(item_code="C11-01", qty=2)]
    assert IssueIn(client_key="key-00004", warehouse_id=1, lines=lines).lines == lines
    with pytest.raises(ValidationError) as e:
        IssueIn(client_key="key-00004", warehouse_id=1, lines=["a\x01b"])
    assert e.value.errors()[0]["input"] == "ab"  # cleaned before it is refused, as before
    with pytest.raises(ValidationError) as e:
        IssueIn(client_key="key-00004", warehouse_id=1, lines=[{"item_code": ["x\x01"], "qty": 1}])
    assert e.value.errors()[0]["input"] == ["x"]


def test_the_fingerprint_is_the_sorted_json_of_the_request_without_its_key():
    data = IssueIn(
        client_key="key-00005",
        warehouse_id=7,
        note="救灾",
        lines=[{"item_code": "C11-01", "qty": 2}, {"item_code": "C06-01", "qty": 1, "batch_id": 3}],
    )
    body = data.model_dump(mode="json", exclude={"client_key"})
    expected = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    assert documents.fingerprint(data) == expected
    extra = json.dumps(body | {"to": 5}, sort_keys=True, ensure_ascii=False)
    assert documents.fingerprint(data, to=5) == hashlib.sha256(extra.encode()).hexdigest()
    assert documents.fingerprint(data.model_copy(update={"client_key": "key-00006"})) == expected
