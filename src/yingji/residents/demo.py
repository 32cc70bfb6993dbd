"""Demo data of residents (being built)."""


def build(db, data, options, progress) -> None:
    return None
