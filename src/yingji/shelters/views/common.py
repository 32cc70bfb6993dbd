"""What the shelters' pages share: the render with the labels, refusals shown on the form."""

from __future__ import annotations

from yingji.core.errors import YingjiError
from yingji.core.i18n import gettext
from yingji.shelters import labels, standards
from yingji.shelters.codes import ShelterClass, ShelterLevel, ShelterStatus, SpaceType
from yingji.web.templating import pages

CTX = {
    "sl": labels,
    "ShelterLevel": ShelterLevel,
    "ShelterClass": ShelterClass,
    "ShelterStatus": ShelterStatus,
    "SpaceType": SpaceType,
    "standards": standards,
}


page = pages(CTX)


def shown(exc: Exception) -> bool:
    """A refusal the form shows (bad input, a conflict); 403 and 404 go to the error page."""
    return not (isinstance(exc, YingjiError) and exc.status_code in (403, 404))


def message(exc: YingjiError) -> str:
    if exc.details:
        return " ".join(gettext(d["message"], **(d.get("params") or {})) for d in exc.details)
    return gettext(exc.message, **exc.params)
