"""Roles and what each may do. Kept as data: adding a role is one entry here and one label
in the catalogs."""

from __future__ import annotations

from enum import StrEnum

from yingji.core.i18n import N_


class Role(StrEnum):
    ADMIN = "admin"  # 系统管理员
    COMMANDER = "commander"  # 指挥长 (city commander)
    DUTY_OFFICER = "duty_officer"  # 值班员
    DEPARTMENT_STAFF = "department_staff"  # 业务股室人员
    COUNTY_OFFICER = "county_officer"  # 县级应急管理人员
    TOWN_OFFICER = "town_officer"  # 乡镇应急管理人员
    GRID_LEADER = "grid_leader"  # 村网格长
    GRID_WORKER = "grid_worker"  # 网格员
    TEAM_LEADER = "team_leader"  # 救援队长
    WAREHOUSE_KEEPER = "warehouse_keeper"  # 仓库管理员
    VIEWER = "viewer"  # 只读用户


class Perm(StrEnum):
    ORG_READ = "org.read"
    ORG_WRITE = "org.write"  # units, HQs, responsibilities
    PEOPLE_WRITE = "people.write"
    GRID_WRITE = "grid.write"
    CONTACT_PHONE = "contact.phone"  # see full phone numbers
    IMPORT = "data.import"
    EXPORT = "data.export"
    AUDIT_READ = "audit.read"
    USERS_MANAGE = "users.manage"
    SYSTEM_MANAGE = "system.manage"  # server-wide settings (the hosts feeds may be fetched from)
    DUTY_MANAGE = "duty.manage"  # rosters, overrides, swaps, leave approval, report settings
    DUTY_REPORT = "duty.report"  # submit daily / zero reports, write handover logs
    INCIDENT_REPORT = "incident.report"  # submit incident reports (首报/续报/终报), from the field too
    INCIDENT_MANAGE = "incident.manage"  # verify, grade, merge, follow deadlines
    RESPONSE_COMMAND = "response.command"  # activate response levels, command posts, tasks, closure
    TASK_HANDLE = "task.handle"  # acknowledge and complete tasks assigned to oneself
    RULES_MANAGE = "rules.manage"  # per-jurisdiction rule overrides
    FORCES_MANAGE = "forces.manage"  # teams, members, equipment, readiness
    STOCK_MOVE = "stock.move"  # receipts, issues, transfers, counts in one's stores
    SUPPLIES_MANAGE = "supplies.manage"  # warehouses, catalogue, reserve standards, maintenance plans
    DISPATCH = "dispatch"  # recommend and commit teams and supplies to an incident
    WARNING_DRAFT = "warning.draft"  # compose, submit, update warnings in one's area
    WARNING_APPROVE = "warning.approve"  # approve (red/orange need a leader other than the author)
    WARNING_PUBLISH = "warning.publish"  # publish, update, lift approved warnings
    WARNING_ACK = "warning.ack"  # confirm receipt of a warning, close door-to-door tasks
    RESIDENTS_MANAGE = "residents.manage"  # the resident registry of one's area
    MONITORING_MANAGE = "monitoring.manage"  # hazard points, sensors, alarm rules
    PATROL_LOG = "patrol.log"  # patrol logs of hazard points, from the phone
    ALARM_ACK = "alarm.ack"  # acknowledge alarms
    RISK_MANAGE = "risk.manage"  # enterprises, risk assessments, enforcement plans
    INSPECT = "inspect"  # inspection and enforcement records
    DANGER_REPORT = "danger.report"  # report hidden dangers (排查/登记)
    DANGER_MANAGE = "danger.manage"  # grade, rectify, accept, close hidden dangers
    VIDEO_MANAGE = "video.manage"  # the camera and video-point registry (视频联报)
    PLANS_MANAGE = "plans.manage"  # plans of one's area: drafting to filing, response parts, filings received
    DRILLS_MANAGE = "drills.manage"  # the yearly drill plan, drills, records and evaluation
    DRILLS_CONTROL = "drills.control"  # direct an exercise (导调): scripts, injects, the hidden scenario
    EXPERTS_MANAGE = "experts.manage"  # the expert registry (专家库)
    SHELTERS_MANAGE = "shelters.manage"  # the shelter registry, opening and closing shelters
    SHELTER_CHECKIN = "shelter.checkin"  # check people into and out of a shelter (安置登记)
    EVACUATION_ORDER = "evacuation.order"  # order and lift evacuations (转移令), threat lists and routes
    EVACUATION_MARK = "evacuation.mark"  # mark households moved / sheltered … from the field
    DAMAGE_REPORT = "damage.report"  # 灾情报送: 初报 / 续报 / 零报 / 核报, the officers' registry
    DAMAGE_VERIFY = "damage.verify"  # accept or return reports, 核查评估 of the figures in force
    AID_MANAGE = "aid.manage"  # aid programmes, lists, distribution; town checks and county approvals
    AID_VILLAGE = "aid.village"  # a village's part: needs survey, applications, 民主评议, 公示
    TASKS_MANAGE = "tasks.manage"  # work-task plans (任务分解), measures, units, reminders and 督办
    TASKS_REPORT = "tasks.report"  # progress and ledger of one's own unit's measures, its year-end summary
    ASSESS_MANAGE = "assess.manage"  # assessment schemes, hand scores with evidence, veto records
    READINESS_MANAGE = "readiness.manage"  # confirm scorecard items by hand, town HQ meeting records
    TRAINING_MANAGE = "training.manage"  # courses, sessions, publicity events, the seismic registry
    REWARD_APPROVE = "reward.approve"  # approve tip-off rewards and record payment (sees the reporter)
    HANDBOOK_MANAGE = "handbook.manage"  # the print and distribution log of the 三清单一手册
    # 首接负责制: hand over an item someone else owns (a leader of the place: the owner is away)
    OWNER_REASSIGN = "owner.reassign"


_ALL = frozenset(Perm)
_READ = frozenset({Perm.ORG_READ, Perm.CONTACT_PHONE, Perm.EXPORT})
_MANAGE_PLACE = _READ | {Perm.PEOPLE_WRITE, Perm.GRID_WRITE, Perm.ORG_WRITE, Perm.IMPORT}
# The daily work of a duty room: reports in, deadlines watched, tasks followed.
_DUTY_ROOM = frozenset(
    {Perm.DUTY_MANAGE, Perm.DUTY_REPORT, Perm.INCIDENT_REPORT, Perm.INCIDENT_MANAGE, Perm.TASK_HANDLE}
)
_FIELD = frozenset({Perm.INCIDENT_REPORT, Perm.TASK_HANDLE})  # report from the field, take tasks

_RESOURCES = frozenset(
    {Perm.FORCES_MANAGE, Perm.SUPPLIES_MANAGE, Perm.STOCK_MOVE, Perm.DISPATCH, Perm.VIDEO_MANAGE}
)
_WARN = frozenset({Perm.WARNING_DRAFT, Perm.WARNING_PUBLISH, Perm.WARNING_ACK, Perm.RESIDENTS_MANAGE})
# Dual prevention and monitoring: officials manage, the field patrols and reports.
_PREVENT = frozenset(
    {
        Perm.MONITORING_MANAGE,
        Perm.ALARM_ACK,
        Perm.RISK_MANAGE,
        Perm.INSPECT,
        Perm.DANGER_REPORT,
        Perm.DANGER_MANAGE,
    }
)
_PATROL = frozenset({Perm.PATROL_LOG, Perm.DANGER_REPORT, Perm.ALARM_ACK})
# Preparedness: plans, drills, experts. Directing an unannounced drill is the bureau's (county up).
_PREPARE = frozenset({Perm.PLANS_MANAGE, Perm.DRILLS_MANAGE, Perm.EXPERTS_MANAGE})
# Relief (issue 13): shelters, evacuation, damage statistics, aid. Verification of damage figures
# (核查评估) is the county's; the village reports, marks households and keeps its part of aid.
_RELIEF = frozenset(
    {
        Perm.SHELTERS_MANAGE,
        Perm.SHELTER_CHECKIN,
        Perm.EVACUATION_ORDER,
        Perm.EVACUATION_MARK,
        Perm.DAMAGE_REPORT,
        Perm.AID_MANAGE,
        Perm.AID_VILLAGE,
    }
)
_RELIEF_FIELD = frozenset({Perm.EVACUATION_MARK, Perm.SHELTER_CHECKIN, Perm.DAMAGE_REPORT, Perm.AID_VILLAGE})
# Governance (issue 14): the bureau and the town set tasks, score, keep readiness, train and publicise;
# every unit reports on its own tasks. Assessing others and paying rewards are the county's and up.
_GOVERN = frozenset(
    {
        Perm.TASKS_MANAGE,
        Perm.TASKS_REPORT,
        Perm.READINESS_MANAGE,
        Perm.TRAINING_MANAGE,
        Perm.HANDBOOK_MANAGE,
    }
)

PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: _ALL,
    Role.COMMANDER: _READ
    | _DUTY_ROOM
    | {Perm.AUDIT_READ, Perm.RESPONSE_COMMAND, Perm.DISPATCH, Perm.OWNER_REASSIGN}
    | {Perm.WARNING_APPROVE, Perm.WARNING_ACK, Perm.EVACUATION_ORDER}
    | {Perm.TASKS_REPORT, Perm.ASSESS_MANAGE},
    Role.DUTY_OFFICER: _READ
    | _DUTY_ROOM
    | _WARN
    | {Perm.DISPATCH, Perm.ALARM_ACK, Perm.EVACUATION_ORDER, Perm.DAMAGE_REPORT},
    Role.DEPARTMENT_STAFF: _MANAGE_PLACE
    | _FIELD
    | _RESOURCES
    | _PREVENT
    | _PREPARE
    | _RELIEF
    | _GOVERN
    | {Perm.DUTY_REPORT, Perm.DRILLS_CONTROL, Perm.DAMAGE_VERIFY},
    Role.COUNTY_OFFICER: _MANAGE_PLACE
    | _DUTY_ROOM
    | _RESOURCES
    | _WARN
    | _PREVENT
    | _PREPARE
    | _RELIEF
    | {Perm.AUDIT_READ, Perm.RESPONSE_COMMAND, Perm.RULES_MANAGE, Perm.WARNING_APPROVE, Perm.DRILLS_CONTROL}
    | _GOVERN
    | {Perm.DAMAGE_VERIFY, Perm.ASSESS_MANAGE, Perm.REWARD_APPROVE, Perm.OWNER_REASSIGN},
    Role.TOWN_OFFICER: _MANAGE_PLACE
    | _DUTY_ROOM
    | _RESOURCES
    | _WARN
    | _PREVENT
    | _PREPARE
    | _RELIEF
    | _GOVERN
    | {Perm.RESPONSE_COMMAND, Perm.WARNING_APPROVE, Perm.OWNER_REASSIGN},
    Role.GRID_LEADER: _READ
    | _FIELD
    | _PATROL
    | _RELIEF_FIELD
    | {Perm.PEOPLE_WRITE, Perm.GRID_WRITE, Perm.WARNING_ACK, Perm.RESIDENTS_MANAGE, Perm.TASKS_REPORT},
    Role.GRID_WORKER: frozenset({Perm.ORG_READ, Perm.CONTACT_PHONE, Perm.WARNING_ACK, Perm.EVACUATION_MARK})
    | _FIELD
    | _PATROL,
    # A team leader keeps their own team's members, equipment and readiness up to date.
    Role.TEAM_LEADER: frozenset({Perm.ORG_READ, Perm.CONTACT_PHONE, Perm.FORCES_MANAGE}) | _FIELD,
    # Keepers move stock in their own stores; they and viewers see phone numbers masked.
    Role.WAREHOUSE_KEEPER: frozenset({Perm.ORG_READ, Perm.TASK_HANDLE, Perm.STOCK_MOVE}),
    Role.VIEWER: frozenset({Perm.ORG_READ, Perm.EXPORT}),
}

ROLE_LABELS_MSGID = {
    Role.ADMIN: N_("System administrator"),
    Role.COMMANDER: N_("City commander"),
    Role.DUTY_OFFICER: N_("Duty officer"),
    Role.DEPARTMENT_STAFF: N_("Department staff"),
    Role.COUNTY_OFFICER: N_("County officer"),
    Role.TOWN_OFFICER: N_("Town officer"),
    Role.GRID_LEADER: N_("Village grid leader"),
    Role.GRID_WORKER: N_("Grid worker"),
    Role.TEAM_LEADER: N_("Rescue team leader"),
    Role.WAREHOUSE_KEEPER: N_("Warehouse keeper"),
    Role.VIEWER: N_("Read-only viewer"),
}


# What each permission lets one do, in words (the security log names the one a refusal lacked).
PERM_LABELS = {
    Perm.ORG_READ: N_("See the organisation"),
    Perm.ORG_WRITE: N_("Manage units and headquarters"),
    Perm.PEOPLE_WRITE: N_("Manage people"),
    Perm.GRID_WRITE: N_("Manage the grid"),
    Perm.CONTACT_PHONE: N_("See full phone numbers"),
    Perm.IMPORT: N_("Import data"),
    Perm.EXPORT: N_("Export data"),
    Perm.AUDIT_READ: N_("Read the audit trail"),
    Perm.USERS_MANAGE: N_("Manage user accounts"),
    Perm.SYSTEM_MANAGE: N_("Manage system settings"),
    Perm.DUTY_MANAGE: N_("Manage duty rosters"),
    Perm.DUTY_REPORT: N_("Submit duty reports"),
    Perm.INCIDENT_REPORT: N_("Report incidents"),
    Perm.INCIDENT_MANAGE: N_("Manage incident reports"),
    Perm.RESPONSE_COMMAND: N_("Command the response"),
    Perm.TASK_HANDLE: N_("Handle one's tasks"),
    Perm.RULES_MANAGE: N_("Set local rules"),
    Perm.FORCES_MANAGE: N_("Manage rescue forces"),
    Perm.STOCK_MOVE: N_("Move stock"),
    Perm.SUPPLIES_MANAGE: N_("Manage supplies and stores"),
    Perm.DISPATCH: N_("Dispatch teams and supplies"),
    Perm.WARNING_DRAFT: N_("Draft warnings"),
    Perm.WARNING_APPROVE: N_("Approve warnings"),
    Perm.WARNING_PUBLISH: N_("Publish warnings"),
    Perm.WARNING_ACK: N_("Confirm receipt of warnings"),
    Perm.RESIDENTS_MANAGE: N_("Manage the resident registry"),
    Perm.MONITORING_MANAGE: N_("Manage monitoring"),
    Perm.PATROL_LOG: N_("Log patrols"),
    Perm.ALARM_ACK: N_("Acknowledge alarms"),
    Perm.RISK_MANAGE: N_("Manage enterprises and risks"),
    Perm.INSPECT: N_("Record inspections"),
    Perm.DANGER_REPORT: N_("Report hidden dangers"),
    Perm.DANGER_MANAGE: N_("Handle hidden dangers"),
    Perm.VIDEO_MANAGE: N_("Manage cameras"),
    Perm.PLANS_MANAGE: N_("Manage emergency plans"),
    Perm.DRILLS_MANAGE: N_("Manage drills"),
    Perm.DRILLS_CONTROL: N_("Direct exercises"),
    Perm.EXPERTS_MANAGE: N_("Manage the expert registry"),
    Perm.SHELTERS_MANAGE: N_("Manage shelters"),
    Perm.SHELTER_CHECKIN: N_("Check people into shelters"),
    Perm.EVACUATION_ORDER: N_("Order evacuations"),
    Perm.EVACUATION_MARK: N_("Mark households moved"),
    Perm.DAMAGE_REPORT: N_("Report disaster damage"),
    Perm.DAMAGE_VERIFY: N_("Verify disaster reports"),
    Perm.AID_MANAGE: N_("Manage relief aid"),
    Perm.AID_VILLAGE: N_("Village relief work"),
    Perm.TASKS_MANAGE: N_("Manage work tasks"),
    Perm.TASKS_REPORT: N_("Report on work tasks"),
    Perm.ASSESS_MANAGE: N_("Manage assessments"),
    Perm.READINESS_MANAGE: N_("Confirm readiness items"),
    Perm.TRAINING_MANAGE: N_("Manage training and publicity"),
    Perm.REWARD_APPROVE: N_("Approve tip-off rewards"),
    Perm.HANDBOOK_MANAGE: N_("Manage the handbook"),
}


def permissions_of(role: str) -> frozenset[Perm]:
    try:
        return PERMISSIONS[Role(role)]
    except ValueError:
        return frozenset()
