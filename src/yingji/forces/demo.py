"""Demo data of forces (being built)."""


def build(db, data, options, progress) -> None:
    return None
