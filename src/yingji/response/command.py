"""The on-site command post (现场指挥部, 突发事件应对法 第七十二条): commander, deputy, location and its
working groups with their leads and members."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.org.models import Person
from yingji.response.common import incident_for_read, incident_for_write, record, require_open, zh
from yingji.response.models import CommandPost, CommandSection, CommandSectionMember
from yingji.response.schemas import CommandPostIn, SectionIn

# The usual working groups of a command post; a post may rename, drop or add groups.
DEFAULT_SECTIONS = [
    ("coordination", N_("General coordination group")),  # 综合协调组
    ("rescue", N_("Rescue group")),  # 抢险救援组
    ("medical", N_("Medical treatment group")),  # 医疗救治组
    ("security", N_("Security and cordon group")),  # 治安警戒组
    ("logistics", N_("Logistics group")),  # 后勤保障组
    ("publicity", N_("Publicity group")),  # 宣传报道组
    ("experts", N_("Expert group")),  # 专家组
]


def get(session: Session, principal: Principal, incident_id: int) -> CommandPost | None:
    incident_for_read(session, principal, incident_id)
    return session.scalars(select(CommandPost).where(CommandPost.incident_id == incident_id)).first()


def _people(session: Session, principal: Principal, ids: list[int | None], field: str) -> None:
    """Every named person must exist in the principal's scope."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return
    found = session.execute(select(Person.id, Person.jurisdiction_code).where(Person.id.in_(wanted))).all()
    ok = {pid for pid, code in found if principal.covers(code)}
    if wanted - ok:
        raise ValidationFailed(details=[{"field": field, "message": "Unknown person."}])


def set_post(session: Session, principal: Principal, incident_id: int, data: CommandPostIn) -> CommandPost:
    """Set up or update the command post; ``sections`` (when given) replace the working groups."""
    incident = incident_for_write(session, principal, incident_id)
    require_open(incident)
    _people(session, principal, [data.commander_person_id], "commander_person_id")
    _people(session, principal, [data.deputy_person_id], "deputy_person_id")
    for s in data.sections or []:
        _people(session, principal, [s.lead_person_id, *s.member_ids], "sections")
    post = session.scalars(select(CommandPost).where(CommandPost.incident_id == incident.id)).first()
    new = post is None
    if new:
        post = CommandPost(
            incident_id=incident.id, set_up_at=clock.now(), jurisdiction_code=incident.jurisdiction_code
        )
        session.add(post)
    for key in ("name", "location", "lon", "lat", "commander_person_id", "deputy_person_id"):
        setattr(post, key, getattr(data, key))
    session.flush()
    sections = data.sections
    if sections is None and new:
        sections = [SectionIn(code=code, name=zh(name)) for code, name in DEFAULT_SECTIONS]
    if sections is not None:
        _replace_sections(session, post, sections)
    commander = session.get(Person, data.commander_person_id) if data.commander_person_id else None
    message = (
        N_("On-site command post set up: {name}; commander {commander}.")
        if new
        else N_("On-site command post updated: {name}; commander {commander}.")
    )
    record(
        session,
        incident,
        "command_post",
        zh(message, name=post.name, commander=commander.name if commander else "—"),
        {"post_id": post.id, "commander_person_id": data.commander_person_id},
    )
    session.flush()
    session.expire(post, ["sections", "commander", "deputy"])
    return post


def _replace_sections(session: Session, post: CommandPost, sections: list[SectionIn]) -> None:
    names = [s.name for s in sections]
    if len(set(names)) != len(names):
        raise ValidationFailed(details=[{"field": "sections", "message": "Two groups have the same name."}])
    for old in list(post.sections):  # through the ORM, so the audit log sees each removal
        session.delete(old)
    session.flush()
    session.expire(post, ["sections"])
    for i, s in enumerate(sections):
        section = CommandSection(
            post_id=post.id,
            code=s.code,
            name=s.name,
            lead_person_id=s.lead_person_id,
            sort=i,
            jurisdiction_code=post.jurisdiction_code,
        )
        session.add(section)
        session.flush()
        for pid in dict.fromkeys(s.member_ids):
            session.add(
                CommandSectionMember(
                    section_id=section.id, person_id=pid, jurisdiction_code=post.jurisdiction_code
                )
            )
    session.flush()
