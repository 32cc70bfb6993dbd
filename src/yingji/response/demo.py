"""Demo data of response (being built)."""


def build(db, data, options, progress) -> None:
    return None
