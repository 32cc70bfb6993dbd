"""Demo data of duty (being built)."""


def build(db, data, options, progress) -> None:
    return None
