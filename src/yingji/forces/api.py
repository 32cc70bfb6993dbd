"""Forces API: teams, members, equipment, readiness, board, checks, nearest teams, dispatch, roads,
Excel exchange, and the teams layer of the one map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.core import caching
from yingji.core.deps import Db, DbSession
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.i18n import gettext
from yingji.files import answers
from yingji.files.openapi import EXPORT, IMPORT_JOB
from yingji.forces import (
    board,
    checks,
    codes,
    exchange,
    index,
    maplayer,
    members,
    readiness,
    team_dispatch,
    teams,
)
from yingji.forces.access import get_team
from yingji.forces.out import change_out, dispatch_out, equipment_out, member_out, team_out
from yingji.forces.schemas import (
    BoardOut,
    ChecksOut,
    DispatchIn,
    EquipmentIn,
    EquipmentOut,
    MemberIn,
    MemberOut,
    MemberPatch,
    NearestOut,
    ReadinessChangeOut,
    ReadinessIn,
    ReadinessSetOut,
    RoadsOut,
    TeamDetailOut,
    TeamIn,
    TeamOut,
    TeamPageOut,
    TeamPatch,
    TeamRecommendationsOut,
    TeamsDispatchedOut,
)
from yingji.geo import roads
from yingji.geo.api import GEOJSON, parse_bbox
from yingji.geo.travel import model_for
from yingji.org.api import export_within, read_upload
from yingji.org.params import PageNo, PageSize, page_of, query_code
from yingji.org.schemas import ImportOut

router = APIRouter(prefix="/api/v1", tags=["forces"])
State = Annotated[str | None, Query(pattern="^(on_call|deployed|resting|unavailable)$")]
Group = Annotated[str | None, Query(pattern="^(professional|town|village|social)$")]


def capability_list(value: str | None) -> list[str] | None:
    """``flood_rescue,medical`` → codes; unknown codes are a 422."""
    if not value:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in items if v not in codes.CAPABILITIES]
    if unknown:
        raise ValidationFailed(details=[{"field": "capabilities", "message": "Unknown capability."}])
    return items


# -- teams ----------------------------------------------------------------------------------
@router.get("/forces/teams", response_model=TeamPageOut)
def list_teams(
    principal: CurrentPrincipal,
    session: DbSession,
    q: str = "",
    within: str | None = None,
    kind: str | None = None,
    group: Group = None,
    readiness: State = None,
    capability: str | None = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    if capability and capability not in codes.CAPABILITIES:
        raise ValidationFailed(details=[{"field": "capability", "message": "Unknown capability."}])
    result = teams.search(
        session,
        principal,
        q=q,
        within=query_code(within),
        kind=kind,
        group=group,
        readiness=readiness,
        capability=capability,
        page=page,
        size=size,
    )
    lead = teams.leaders(session, [t.id for t in result.items])
    return page_of(result, [team_out(t, principal, lead.get(t.id)) for t in result.items])


@router.post("/forces/teams", status_code=201, response_model=TeamOut)
def create_team(data: TeamIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return team_out(teams.create(session, principal, data), principal)


@router.get("/forces/teams/{team_id}", response_model=TeamDetailOut)
def get_team_api(team_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    team = teams.get(session, principal, team_id)
    out = team_out(team, principal, teams.leaders(session, [team.id]).get(team.id))
    out["members"] = [member_out(m, principal) for m in members.list_members(session, team)]
    out["equipment"] = [equipment_out(e) for e in teams.equipment(session, team)]
    return out


@router.patch("/forces/teams/{team_id}", response_model=TeamOut)
def update_team(team_id: int, patch: TeamPatch, principal: CurrentPrincipal, session: DbSession) -> dict:
    return team_out(teams.update(session, principal, team_id, patch), principal)


# -- readiness ------------------------------------------------------------------------------
@router.post("/forces/teams/{team_id}/readiness", response_model=ReadinessSetOut)
def set_readiness(team_id: int, data: ReadinessIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Change readiness (idempotent with ``client_key``); answers the history row and the team."""
    row = readiness.change(session, principal, team_id, data)
    return {"change": change_out(row), "team": team_out(get_team(session, principal, team_id), principal)}


@router.get("/forces/teams/{team_id}/readiness", response_model=list[ReadinessChangeOut])
def readiness_history(
    team_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict]:
    return [change_out(c) for c in readiness.history(session, principal, team_id, limit)]


# -- members --------------------------------------------------------------------------------
@router.post("/forces/teams/{team_id}/members", status_code=201, response_model=MemberOut)
def add_member(team_id: int, data: MemberIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return member_out(members.add(session, principal, team_id, data), principal)


@router.get("/forces/members/{member_id}", response_model=MemberOut)
def get_member(member_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return member_out(members.get_member(session, principal, member_id), principal)


@router.patch("/forces/members/{member_id}", response_model=MemberOut)
def update_member(
    member_id: int, patch: MemberPatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return member_out(members.update_member(session, principal, member_id, patch), principal)


@router.delete("/forces/members/{member_id}", status_code=204)
def remove_member(member_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    members.remove(session, principal, member_id)


# -- equipment ------------------------------------------------------------------------------
@router.post("/forces/teams/{team_id}/equipment", status_code=201, response_model=EquipmentOut)
def add_equipment(team_id: int, data: EquipmentIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return equipment_out(teams.add_equipment(session, principal, team_id, data))


@router.put("/forces/equipment/{item_id}", response_model=EquipmentOut)
def update_equipment(
    item_id: int, data: EquipmentIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return equipment_out(teams.update_equipment(session, principal, item_id, data))


@router.delete("/forces/equipment/{item_id}", status_code=204)
def remove_equipment(item_id: int, principal: CurrentPrincipal, session: DbSession) -> None:
    teams.remove_equipment(session, principal, item_id)


# -- board and checks -----------------------------------------------------------------------
@router.get("/forces/board", response_model=BoardOut)
def readiness_board(
    principal: CurrentPrincipal, session: DbSession, within: str | None = None, group: Group = None
) -> dict:
    """Teams by readiness for a place and each of its child places, with members on call."""
    b = board.board(session, principal, query_code(within), group)

    def row(r) -> dict:
        return {
            "code": r.code,
            "name": r.name,
            "teams": r.teams,
            "total": r.total,
            "members_on_call": r.members_on_call,
        }

    return {
        "place": {"code": b.place.code, "name": b.place.name},
        "totals": row(b.totals),
        "groups": b.groups,
        "places": [row(r) for r in b.rows],
    }


@router.get("/forces/checks", response_model=ChecksOut)
def forces_checks(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    days: Annotated[int, Query(ge=1, le=365)] = codes.EXPIRY_WARNING_DAYS,
    kind: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict:
    """Rule checks in scope: counts per check and the first rows of each."""
    if kind is not None and kind not in checks.CHECKS:
        raise NotFound()
    report = checks.run(session, principal, within=query_code(within), days=days, only=kind, limit=limit)
    return {
        "today": report.today,
        "days": report.days,
        "counts": report.counts,
        "labels": {
            k: gettext(checks.CHECKS[k][0], min=codes.MIN_VOLUNTEER_MEMBERS, days=days) for k in report.counts
        },
        "items": {k: [vars(f) for f in v] for k, v in report.items.items()},
    }


# -- nearest teams and dispatch -------------------------------------------------------------
@router.get("/forces/nearest", response_model=NearestOut)
def nearest_teams(
    principal: CurrentPrincipal,
    session: DbSession,
    lon: Annotated[float, Query(ge=70, le=140)],
    lat: Annotated[float, Query(ge=0, le=60)],
    capabilities: str | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict:
    """The nearest on-call teams in scope to a point that bring one of the capabilities."""
    needs = capability_list(capabilities) or []
    idx, network_id = index.snapshot(session)
    model = model_for(session, network_id=network_id)
    found = index.nearest(idx, lon, lat, needs, scope=principal.jurisdiction_code, model=model, limit=limit)
    return {
        "capabilities": needs,
        "teams": [team_dispatch.Recommendation(c, team_dispatch.reason_text(c)).as_dict() for c in found],
    }


@router.get("/incidents/{incident_id}/dispatch/teams", response_model=TeamRecommendationsOut)
def recommend_teams(
    incident_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    capabilities: str | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict:
    """Recommended teams for an incident (nearest first, with reasons) and the teams already sent."""
    incident, needs, recs = team_dispatch.recommend(
        session, principal, incident_id, capabilities=capability_list(capabilities), limit=limit
    )
    return {
        "incident_id": incident.id,
        "capabilities": needs,
        "recommendations": [r.as_dict() for r in recs],
        "dispatched": [dispatch_out(d) for d in team_dispatch.dispatched(session, principal, incident.id)],
    }


@router.post("/incidents/{incident_id}/dispatch/teams", status_code=201, response_model=TeamsDispatchedOut)
def commit_teams(incident_id: int, data: DispatchIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Send the chosen teams (idempotent with ``client_key``)."""
    rows = team_dispatch.commit(session, principal, incident_id, data)
    return {"incident_id": incident_id, "dispatched": [dispatch_out(d) for d in rows]}


# -- road network ---------------------------------------------------------------------------
@router.get("/forces/roads", response_model=RoadsOut)
def road_network(principal: CurrentPrincipal, session: DbSession) -> dict:
    return roads.describe(roads.current(session))


@router.post("/forces/roads", status_code=201, response_model=RoadsOut)
async def load_roads(
    request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """Upload a GeoJSON file of road lines; travel times follow the roads from then on."""
    data = await read_upload(request, file)
    row = await run_in_threadpool(roads.load, session, principal, data, file.filename or "roads")
    return roads.describe(row)


@router.delete("/forces/roads", status_code=204)
def clear_roads(principal: CurrentPrincipal, session: DbSession) -> None:
    roads.clear(session, principal)


# -- Excel exchange -------------------------------------------------------------------------
@router.post("/forces/import/{kind}", response_model=ImportOut, responses=IMPORT_JOB)
async def import_sheet(
    kind: str, request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """Import an .xlsx of ``teams`` or ``members``: all rows or none. A large file is imported by a
    file job: 202 with the job."""
    if kind not in exchange.IMPORTERS:
        raise NotFound()
    data = await read_upload(request, file)
    return await answers.import_answer(
        request, session, principal, f"forces.{kind}", data, file.filename, shown=kind
    )


@router.get("/forces/export/{kind}", response_class=Response, responses=EXPORT, response_model=None)
def export_sheet(
    kind: str,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    db: Db,
    within: str | None = None,
) -> Response:
    """Download teams or members as .xlsx; every export is audited. A large one is written by a
    file job: 202 with the job."""
    if kind not in exchange.EXPORTERS:
        raise NotFound()
    return export_within(request, session, db, principal, f"forces.{kind}", query_code(within))


# -- the one map ----------------------------------------------------------------------------
@router.get("/map/teams", response_class=Response, responses=GEOJSON, response_model=None)
def map_teams(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    bbox: str | None = None,
    readiness: State = None,
) -> Response:
    """Teams as GeoJSON points with their readiness (at most 5,000; ``X-Truncated`` says if cut)."""
    body, count, truncated = maplayer.teams_geojson(session, principal, parse_bbox(bbox), readiness)
    return caching.cached(
        request,
        body,
        media_type=caching.GEOJSON,
        headers={"X-Feature-Count": str(count), "X-Truncated": str(truncated).lower()},
    )
