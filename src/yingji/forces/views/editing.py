"""Forces forms: register and edit teams, add and edit members, record equipment (phone-friendly)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed, YingjiError
from yingji.forces import members, teams
from yingji.forces.access import check_manage
from yingji.forces.exchange.common import certificates_text, parse_certificates
from yingji.forces.schemas import CertificateIn, EquipmentIn, MemberIn, MemberPatch, TeamIn, TeamPatch
from yingji.forces.views.common import page
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)

TEAM_FIELDS = (
    "code",
    "name",
    "kind",
    "jurisdiction_code",
    "lon",
    "lat",
    "address",
    "organisation",
    "duty_phone",
    "registration_no",
    "registered_on",
    "registered_with",
    "capability_grade",
    "graded_on",
    "insurance_until",
    "note",
)
MEMBER_FIELDS = (
    "name",
    "gender",
    "mobile",
    "role",
    "squad",
    "skills",
    "insurance_until",
    "note",
    "certificates",
)


def _refused(exc: Exception) -> bool:
    """Errors that are answers to the user (403/404 are raised as pages, not shown in the form)."""
    return not (isinstance(exc, YingjiError) and exc.status_code in (403, 404))


async def _team_form(request: Request) -> tuple[dict[str, str], list[str]]:
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in TEAM_FIELDS}
    return values, [str(c) for c in form.getlist("capabilities")]


def _team_data(values: dict[str, str], caps: list[str]) -> dict:
    data = {k: (v or None) for k, v in values.items()}
    data["capabilities"] = caps
    return data


@router.get("/forces/teams/new")
def team_new(request: Request, principal: CurrentPrincipal, within: str | None = None):
    require(principal, Perm.FORCES_MANAGE)
    form = {"jurisdiction_code": within or principal.jurisdiction_code, "kind": "village_volunteer"}
    return page(request, "forces/team_form.html", {"team": None, "form": form, "caps": [], "errors": {}})


@router.post("/forces/teams/new")
async def team_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    values, caps = await _team_form(request)
    try:
        data = TeamIn(**_team_data(values, caps) | {"capabilities": caps or None})
        team = await run_in_threadpool(in_savepoint, session, teams.create, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        ctx = {"team": None, "form": values, "caps": caps, "errors": form_errors(exc)}
        return page(request, "forces/team_form.html", ctx, status_code=422)
    return RedirectResponse(f"/forces/teams/{team.id}", status_code=303)


@router.get("/forces/teams/{team_id}/edit")
def team_edit(team_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    team = teams.get(session, principal, team_id)
    check_manage(session, principal, team)
    form = {k: ("" if getattr(team, k, None) is None else str(getattr(team, k))) for k in TEAM_FIELDS}
    caps = team.capabilities.split(",") if team.capabilities else []
    return page(request, "forces/team_form.html", {"team": team, "form": form, "caps": caps, "errors": {}})


@router.post("/forces/teams/{team_id}/edit")
async def team_update(team_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    values, caps = await _team_form(request)
    try:
        data = _team_data(values, caps)
        for fixed in ("code", "jurisdiction_code"):
            data.pop(fixed)
        patch = TeamPatch(**data | {"name": values["name"] or None, "kind": values["kind"] or None})
        await run_in_threadpool(in_savepoint, session, teams.update, session, principal, team_id, patch)
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        team = await run_in_threadpool(teams.get, session, principal, team_id)
        ctx = {"team": team, "form": values, "caps": caps, "errors": form_errors(exc)}
        return page(request, "forces/team_form.html", ctx, status_code=422)
    return RedirectResponse(f"/forces/teams/{team_id}", status_code=303)


# -- members --------------------------------------------------------------------------------
async def _member_form(request: Request) -> tuple[dict[str, str], bool]:
    form = await request.form()
    return {k: str(form.get(k, "")).strip() for k in MEMBER_FIELDS}, form.get("available") is not None


def _member_data(values: dict[str, str], available: bool) -> dict:
    try:
        certs = [CertificateIn(name=n, expires_on=d) for n, d in parse_certificates(values["certificates"])]
    except ValueError:
        raise ValidationFailed(
            details=[{"field": "certificates", "message": "Write certificates as name:2027-05-01; …"}]
        ) from None
    data = {k: (v or None) for k, v in values.items() if k != "certificates"}
    data["role"] = values["role"] or "member"
    return data | {"certificates": certs, "available": available}


@router.get("/forces/teams/{team_id}/members/new")
def member_new(team_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    team = teams.get(session, principal, team_id)
    check_manage(session, principal, team)
    form = {"role": "member"}
    ctx = {"team": team, "member": None, "form": form, "available": True, "errors": {}}
    return page(request, "forces/member_form.html", ctx)


@router.post("/forces/teams/{team_id}/members/new")
async def member_create(team_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    values, available = await _member_form(request)
    try:
        data = MemberIn(**_member_data(values, available))
        await run_in_threadpool(in_savepoint, session, members.add, session, principal, team_id, data)
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        team = await run_in_threadpool(teams.get, session, principal, team_id)
        ctx = {
            "team": team,
            "member": None,
            "form": values,
            "available": available,
            "errors": form_errors(exc),
        }
        return page(request, "forces/member_form.html", ctx, status_code=422)
    return RedirectResponse(f"/forces/teams/{team_id}#members", status_code=303)


@router.get("/forces/members/{member_id}")
def member_page(member_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    from yingji.forces.access import can_manage
    from yingji.forces.checks import local_today

    member = members.get_member(session, principal, member_id)
    team = teams.get(session, principal, member.team_id)
    ctx = {
        "member": member,
        "team": team,
        "can_edit": can_manage(session, principal, team),
        "today": local_today(),
    }
    return page(request, "forces/member.html", ctx)


@router.get("/forces/members/{member_id}/edit")
def member_edit(member_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    member = members.get_member(session, principal, member_id)
    team = teams.get(session, principal, member.team_id)
    check_manage(session, principal, team)
    form = {
        k: ("" if getattr(member, k, None) is None else str(getattr(member, k))) for k in MEMBER_FIELDS[:-1]
    }
    form["certificates"] = certificates_text(member.certificates).replace("；", "\n")
    ctx = {"team": team, "member": member, "form": form, "available": member.available, "errors": {}}
    return page(request, "forces/member_form.html", ctx)


@router.post("/forces/members/{member_id}/edit")
async def member_update(member_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    values, available = await _member_form(request)
    try:
        data = _member_data(values, available)
        patch = MemberPatch(**data | {"name": values["name"] or None, "role": values["role"] or None})
        await run_in_threadpool(
            in_savepoint, session, members.update_member, session, principal, member_id, patch
        )
    except (ValidationError, YingjiError) as exc:
        if not _refused(exc):
            raise
        member = await run_in_threadpool(members.get_member, session, principal, member_id)
        ctx = {
            "team": member.team,
            "member": member,
            "form": values,
            "available": available,
            "errors": form_errors(exc),
        }
        return page(request, "forces/member_form.html", ctx, status_code=422)
    return RedirectResponse(f"/forces/members/{member_id}", status_code=303)


@router.post("/forces/members/{member_id}/remove")
def member_remove(member_id: int, principal: CurrentPrincipal, session: DbSession):
    team_id = members.remove(session, principal, member_id)
    return RedirectResponse(f"/forces/teams/{team_id}#members", status_code=303)


# -- equipment ------------------------------------------------------------------------------
@router.post("/forces/teams/{team_id}/equipment")
async def equipment_add(team_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    fields = ("category", "name", "model", "plate", "quantity", "state", "note")
    values = {k: str(form.get(k, "")).strip() for k in fields}
    try:
        data = EquipmentIn(**{k: v for k, v in values.items() if v})
    except ValidationError:
        raise ValidationFailed(
            details=[{"field": "equipment", "message": "This value is not valid."}]
        ) from None
    await run_in_threadpool(teams.add_equipment, session, principal, team_id, data)
    return RedirectResponse(f"/forces/teams/{team_id}#equipment", status_code=303)


@router.post("/forces/equipment/{item_id}/remove")
def equipment_remove(item_id: int, principal: CurrentPrincipal, session: DbSession):
    team_id = teams.remove_equipment(session, principal, item_id)
    return RedirectResponse(f"/forces/teams/{team_id}#equipment", status_code=303)
