"""What the forces pages share: rendering with the code tables (form errors and savepoints are
``web.forms``)."""

from __future__ import annotations

from yingji.forces import codes
from yingji.web.templating import pages

STATE_CLASS = {"on_call": "state-on-call", "deployed": "state-deployed", "resting": "state-resting"}
STATE_CLASS |= {"unavailable": "state-unavailable"}


page = pages({"fc": codes, "state_class": STATE_CLASS, "split_codes": codes.split_codes})
