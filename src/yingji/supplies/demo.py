"""Demo data of supplies (being built)."""


def build(db, data, options, progress) -> None:
    return None
