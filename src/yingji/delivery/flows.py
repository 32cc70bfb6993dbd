"""Reactions to warning events, called by ``yingji.warnings.hooks.emit`` in the transaction that
publishes, updates, lifts or expires a warning.

- published: target the area, freeze the level's escalation policy, write the staff deliveries and
  the escalation steps, queue the residents' fan-out and the senders;
- updated: the same for the new issue, plus everyone the previous issue reached; the previous
  issue's escalation stops (superseded);
- lifted: the lift goes to the same recipients; every escalation of the warning stops;
- expired: every escalation of the warning stops.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.delivery import issuing
from yingji.warnings.hooks import WarningEvent


def on_warning_event(session: Session, warning, event: str) -> None:
    """Fan out, freeze the policy, or stop escalations, in the caller's transaction."""
    if event in (WarningEvent.PUBLISHED, WarningEvent.UPDATED):
        if getattr(warning, "relay", True) is False:  # an upstream warning we only record
            return
        issuing.issue(session, warning, event)
    elif event == WarningEvent.LIFTED:
        issuing.stop_chain(session, issuing.root_id_of(warning), "lifted")
        issuing.issue(session, warning, WarningEvent.LIFTED)
    elif event == WarningEvent.EXPIRED:
        issuing.stop_chain(session, issuing.root_id_of(warning), "expired")
