"""Demo data of warnings (being built)."""


def build(db, data, options, progress) -> None:
    return None
