"""Reactions to warning events (being built)."""


def on_warning_event(session, warning, event: str) -> None:
    return None
