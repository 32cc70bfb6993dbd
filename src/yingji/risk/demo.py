"""Demo data of risk (being built)."""


def build(db, data, options, progress) -> None:
    return None
