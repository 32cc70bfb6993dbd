"""What the forces pages share: rendering with the code tables, form errors, savepoints."""

from __future__ import annotations

from pydantic import ValidationError

from yingji.core.errors import YingjiError
from yingji.forces import codes
from yingji.web import forms
from yingji.web.templating import pages

STATE_CLASS = {"on_call": "state-on-call", "deployed": "state-deployed", "resting": "state-resting"}
STATE_CLASS |= {"unavailable": "state-unavailable"}


page = pages({"fc": codes, "state_class": STATE_CLASS, "split_codes": codes.split_codes})


def in_savepoint(session, fn, *args):
    """Run a service in a savepoint, so a refused form leaves the transaction clean."""
    with session.begin_nested():
        return fn(*args)


def form_errors(exc: ValidationError | YingjiError) -> dict[str, str]:
    """Field → message of a refused form."""
    return forms.form_errors(exc, refusals_up=False)
