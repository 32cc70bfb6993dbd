"""Code tables of warnings: the lifecycle states with their transition table beside them, and the
actions the version history records, each with the label pages show (Chinese in the catalog).

draft → submitted → approved → published → updated (a newer issue replaced it) / lifted (解除) /
expired. An approved warning not yet published may be *returned for edit* (退回修改): back to draft
with a reason, so that a warning approved with a flaw is never stuck (issue 15).
"""

from __future__ import annotations

from enum import StrEnum

from yingji.core.i18n import N_


class WarningStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"
    UPDATED = "updated"  # a newer issue replaced it
    LIFTED = "lifted"  # 解除
    EXPIRED = "expired"


S = WarningStatus
PENDING = (S.SUBMITTED, S.APPROVED)  # waiting for approval or publishing
UNSENT = (S.DRAFT, *PENDING)  # not yet sent: what 第六十四条 still misses is shown
ENDED = (S.UPDATED, S.LIFTED, S.EXPIRED)
SENT = (S.PUBLISHED, *ENDED)  # published at some time: public once sent, if public

STATUS_LABELS = {
    S.DRAFT: N_("Draft"),  # 草稿
    S.SUBMITTED: N_("Submitted"),  # 待审批
    S.APPROVED: N_("Approved"),  # 已审批
    S.PUBLISHED: N_("Published"),  # 已发布
    S.UPDATED: N_("Superseded"),  # 已更新
    S.LIFTED: N_("Lifted"),  # 已解除
    S.EXPIRED: N_("Expired"),  # 已过期
}

# ``lifted`` from approved: a Cancel taking effect (the Cancel row is the lift itself).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.PUBLISHED}),  # published: only levels without approval
    S.SUBMITTED: frozenset({S.APPROVED, S.DRAFT, S.PUBLISHED}),  # draft: sent back (rejected)
    # draft: returned for edit (退回修改) by whoever may approve or publish it there, with a reason
    S.APPROVED: frozenset({S.PUBLISHED, S.DRAFT, S.LIFTED}),
    S.PUBLISHED: frozenset({S.UPDATED, S.LIFTED, S.EXPIRED}),
    S.UPDATED: frozenset(),
    S.LIFTED: frozenset(),
    S.EXPIRED: frozenset(),
}


class Action(StrEnum):
    """What a version row records (``warning_versions.action``)."""

    CREATED = "created"
    EDITED = "edited"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"  # sent back while waiting for approval
    RETURNED = "returned"  # an approved warning returned for edit
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    UPDATED = "updated"
    LIFTED = "lifted"
    LIFT_REQUESTED = "lift_requested"
    EXPIRED = "expired"
    IMPORTED = "imported"
    IMPORT_HELD = "import_held"


A = Action

# The named moves a person makes: action → (the states it starts from, the state it ends in).
MOVES: dict[str, tuple[frozenset[str], str]] = {
    A.SUBMITTED: (frozenset({S.DRAFT}), S.SUBMITTED),
    A.APPROVED: (frozenset({S.SUBMITTED}), S.APPROVED),
    A.REJECTED: (frozenset({S.SUBMITTED}), S.DRAFT),
    A.RETURNED: (frozenset({S.APPROVED}), S.DRAFT),
    A.PUBLISHED: (frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED}), S.PUBLISHED),
}

# What the history shows for each recorded action.
ACTION_LABELS = {
    A.CREATED: N_("Drafted"),  # 起草
    A.EDITED: N_("Edited"),  # 修改
    A.SUBMITTED: N_("Submitted for approval"),  # 提交审批
    A.APPROVED: N_("Approval given"),  # 审批通过 (not the status 已批准)
    A.REJECTED: N_("Sent back"),  # 退回
    A.RETURNED: N_("Returned for edit"),  # 退回修改
    A.PUBLISHED: N_("Issue published"),  # 发布
    A.SUPERSEDED: N_("Superseded by an update"),  # 被更新
    A.UPDATED: N_("Superseded by an update"),
    A.LIFTED: N_("Lifting"),  # 解除
    A.LIFT_REQUESTED: N_("Lift requested"),  # 申请解除
    A.EXPIRED: N_("Expiry"),  # 到期
    A.IMPORTED: N_("Imported"),  # 导入
    A.IMPORT_HELD: N_("Imported, waiting for approval"),  # 导入待审批
}
