"""Demo data of monitoring (being built)."""


def build(db, data, options, progress) -> None:
    return None
