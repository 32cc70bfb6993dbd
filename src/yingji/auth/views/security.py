"""The security events page: refusals, probes and failed logins in the administrator's jurisdiction,
filtered by kind, user, address and days."""

from __future__ import annotations

from fastapi import APIRouter, Request

from yingji.auth import demo_accounts, security
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.i18n import N_
from yingji.org import places
from yingji.org.params import PageNo
from yingji.web import nav
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
nav.register(
    N_("System"), nav.NavItem("security", N_("Security events"), "/admin/security", Perm.USERS_MANAGE)
)
nav.register(N_("System"), nav.NavItem("password", N_("Change my password"), "/account/password", None))


@router.get("/admin/security")
def security_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    kind: str | None = None,
    user: str | None = None,
    ip: str | None = None,
    day_from: str | None = None,
    day_to: str | None = None,
    page: PageNo = 1,
):
    wanted = security.filters(kind, user, ip, day_from, day_to)
    result = security.search(session, principal, **wanted, page=page)
    return render(
        request,
        "auth/security.html",
        {
            "page": result,
            "kinds": security.KINDS,
            "describe": security.describe,
            "f": {
                "kind": wanted["kind"] or "",
                "user": wanted["username"] or "",
                "ip": wanted["ip"] or "",
                "day_from": day_from if security.parse_day(day_from) else "",
                "day_to": day_to if security.parse_day(day_to) else "",
            },
            "places": places.names(
                session, [e.jurisdiction_code for e in result.items if e.jurisdiction_code]
            ),
            "demo_logins": demo_accounts.warning(request.app.state.db),
        },
    )
