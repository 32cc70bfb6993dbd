"""The shared request parameters: division codes from queries (422) and URLs (404), pages as JSON."""

import pytest

from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.pagination import Page
from yingji.org.params import page_json, query_code, url_code


def test_query_code_accepts_both_forms_and_absence():
    assert query_code("520602000000") == "520602"
    assert query_code("520602") == "520602"
    assert query_code(None) is None
    assert query_code("") is None


def test_query_code_names_the_field_it_refuses():
    with pytest.raises(ValidationFailed) as caught:
        query_code("52060x", "place")
    assert caught.value.details == [{"field": "place", "message": "Not a division code."}]


def test_url_code_is_a_404_when_malformed():
    assert url_code("5206") == "5206"
    assert url_code(None) is None
    with pytest.raises(NotFound):
        url_code("not-a-code")


def test_page_json_converts_each_item():
    page = Page(items=[1, 2], total=7, page=2, size=2)
    assert page_json(page, lambda x: x * 10) == {"items": [10, 20], "total": 7, "page": 2, "size": 2}
