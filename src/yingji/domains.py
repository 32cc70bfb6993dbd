"""The one list of Yingji's domains (issue 16).

Everything that used to be kept in five lists (routers in ``app.py``, job handlers in
``jobs/registry.py``, models in ``core/schema.py``, demo steps in ``demo/builder.py``, CLI groups in
``cli.py``) and in the two kind registries (file jobs, first-receiver items) is read from here. A
new domain is one ``Domain`` line; ``tests/core/test_domains.py`` fails when a domain package has a
``models.py``, ``jobs.py``, ``views`` or ``api`` module that this list does not name, or names one
that does not exist.

Module names are relative to ``yingji.<name>``. The order of ``DOMAINS`` is the order in which
routers are mounted (pages before the JSON API of the same domain, ``web`` first) and demo steps
run (each domain's demo after the domains whose records it reads)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    name: str  # the package under ``yingji``: "duty", "risk.tipoffs"
    # modules with a ``router``, mounted in this order
    routers: tuple[str, ...] = ("views", "api")
    models: tuple[str, ...] = ("models",)
    # modules whose import registers job handlers (``@handler``)
    jobs: tuple[str, ...] = ()
    # demo steps: modules with ``build(db, data, options, progress)``, run in this order
    demo: tuple[str, ...] = ()
    # ``(module, attribute)`` of a click group added to ``yingji``'s CLI
    cli: tuple[str, str] | None = None
    # modules registering Excel export/import kinds (files/kinds.py)
    file_kinds: tuple[str, ...] = ()
    # modules registering first-receiver item kinds (ownership/kinds.py)
    owned_kinds: tuple[str, ...] = ()
    # demo steps that compute over all rows written before them: PostgreSQL statistics first
    analyze_before_demo: bool = False

    def module(self, part: str) -> str:
        return f"yingji.{self.name}.{part}"


DOMAINS: tuple[Domain, ...] = (
    Domain("web", routers=("views",), models=()),
    Domain("auth", models=("models",), cli=("cli", "users")),
    Domain("org", file_kinds=("exchange",)),
    Domain("geo", routers=("api",)),
    Domain("rules", routers=("api",), cli=("cli", "rules")),  # api.py mounts the rules pages too
    Domain("jobs", routers=(), jobs=("builtin",)),
    Domain(
        "duty",
        jobs=("jobs",),
        demo=("demo",),
        cli=("cli", "duty"),
        file_kinds=("exchange",),
        owned_kinds=("calls",),
    ),
    Domain("incidents", jobs=("jobs",), demo=("demo",), owned_kinds=("owners",)),
    Domain("response", jobs=("jobs",), demo=("demo",)),
    Domain("notify", routers=("views",)),
    Domain("forces", jobs=("jobs",), demo=("demo",), cli=("cli", "forces"), file_kinds=("exchange",)),
    Domain("supplies", jobs=("jobs",), demo=("demo",)),
    Domain("residents", demo=("demo",), cli=("cli", "residents"), file_kinds=("exchange",)),
    Domain("warnings", jobs=("jobs",), demo=("demo",), cli=("cli", "cap")),
    Domain("delivery", jobs=("jobs",), demo=("demo",)),
    Domain("monitoring", jobs=("jobs",), demo=("demo",), cli=("cli", "ingest")),
    Domain("risk", jobs=("jobs",), demo=("demo",), file_kinds=("exchange", "danger_sheet")),
    Domain("files", jobs=("jobs",)),
    Domain("video", jobs=("jobs",), demo=("demo",), file_kinds=("exchange",)),
    Domain("overview", models=()),
    Domain("events", routers=("api",), jobs=("jobs",)),
    # after the plans demo (the response demo fills the plans it makes)
    Domain(
        "plans",
        jobs=("jobs",),
        demo=("demo", "demo_response"),
        cli=("cli", "plans"),
        file_kinds=("exchange", "filings"),
    ),
    Domain("experts", demo=("demo",), file_kinds=("exchange",)),
    # after plans: its drills exercise their plans; injects are timed jobs of exercise mode
    Domain("drills", jobs=("injects", "jobs"), demo=("demo", "demo_exercise"), file_kinds=("exchange",)),
    Domain("shelters", demo=("demo",), file_kinds=("exchange",)),  # issue 13
    # after shelters (routes lead to them) and warnings
    Domain("evacuation", jobs=("jobs",), demo=("demo",), cli=("cli", "relief")),
    Domain("damage", jobs=("jobs",), demo=("demo",), file_kinds=("officer_sheets",)),
    Domain("aid", demo=("demo",), file_kinds=("exchange",)),  # after damage: rebuilding starts from it
    Domain("governance", jobs=("jobs",), demo=("demo",)),  # issue 14
    Domain("training", demo=("demo",)),
    Domain("risk.tipoffs", demo=("demo",), owned_kinds=("owners",)),
    Domain("field", models=("models",)),  # issue 15: the grid worker's app
    Domain("ownership", demo=("demo",)),  # issue 15: after the incidents and tip-offs it owns
    Domain("seismic", demo=("demo",)),
    # these read the other domains' records
    Domain("readiness", demo=("demo",), analyze_before_demo=True),
    Domain("assessment", demo=("demo",), analyze_before_demo=True),
    # prints what the others built
    Domain("handbook", jobs=("jobs",), demo=("demo",), analyze_before_demo=True),
)


def modules(part: str) -> list[str]:
    """Full module names of one part ("routers", "models", "jobs", "demo", "file_kinds",
    "owned_kinds") over every domain, in the list's order."""
    return [d.module(m) for d in DOMAINS for m in getattr(d, part)]


def cli_groups() -> list[tuple[str, str]]:
    return [(d.module(d.cli[0]), d.cli[1]) for d in DOMAINS if d.cli]


def analyze_before() -> set[str]:
    return {d.module(d.demo[0]) for d in DOMAINS if d.analyze_before_demo and d.demo}
