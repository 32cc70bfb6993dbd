"""Demo data of incidents (being built)."""


def build(db, data, options, progress) -> None:
    return None
