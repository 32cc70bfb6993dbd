"""What the shapes share: checks of codes and numbers, the strict input base, the list query
parameters, the ``Out`` base and the encoding of the answers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, TypeAdapter

from yingji.core.text import Input
from yingji.org import codes
from yingji.org.schemas import OFFICE_PHONE, check_mobile
from yingji.risk import creditcode

KEY = r"^[A-Za-z0-9_\-:.]{8,64}$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
# Query parameters the API's lists share.
Level = Annotated[str | None, Query(pattern="^(major|high|general|low)$")]
Month = Annotated[str | None, Query(pattern=MONTH)]


def division(value: str | None) -> str | None:
    """A division code in its significant form (either form accepted)."""
    if value in (None, ""):
        return None
    return codes.field_code(value)


def phone(value: str | None) -> str | None:
    """A mainland mobile or an office number (0856-1234567)."""
    if value in (None, ""):
        return None
    try:
        return check_mobile(value)
    except ValueError:
        value = str(value).strip()
        if OFFICE_PHONE.match(value) and sum(ch.isdigit() for ch in value) >= 7:
            return value
        raise ValueError("not a phone number") from None


def credit(value: str | None) -> str | None:
    """A checked unified social credit code, or None."""
    if value in (None, ""):
        return None
    return creditcode.normalise(value)


class Strict(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


# -- answers ------------------------------------------------------------------------------------
# The routes send the bodies they always sent, encoded as an untyped ``-> dict`` route encodes them
# (pydantic's JSON mode: "Z" for UTC times); the ``Out`` models below describe them (the answer's
# ``response_model``), tests/risk/test_answers.py checks real bodies against them.
_ANY = TypeAdapter(Any)


def answer(body: Any, status_code: int = 200) -> JSONResponse:
    """A JSON answer encoded as before the routes were typed."""
    return JSONResponse(_ANY.dump_python(body, mode="json"), status_code=status_code)


class Out(BaseModel):
    # extra="forbid": the check of real bodies fails on a key the model does not name
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
