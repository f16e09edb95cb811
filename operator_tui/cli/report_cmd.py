"""`hotline report …`: assessment, analysis and disclosure (issue 15; R35.1, R31.1, R31.2, R17.1, R37.1).

The reports are computed by the server from its projection (one city's figures, whichever seat asks),
so every sub-command reads the server database (`--db`, a SQLite file or a postgresql:// URL) the way
`hotline server …` does. Each kind of report registers its commands from a module of its own.
"""

from __future__ import annotations

import importlib

import typer

__all__ = ["register", "report_app"]

report_app = typer.Typer(
    name="report",
    help="考核、分析与公开：三率、风险预警、定期报告、公开页 / assessment, analysis and disclosure.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

# the modules that add `report` sub-commands; each has register(report_app)
MODULES: tuple[str, ...] = (
    "report_docs_cmd",
    "report_public_cmd",
    "report_rates_cmd",
    "report_risks_cmd",
    "report_triage_cmd",
)


def register(app: typer.Typer) -> None:
    for name in MODULES:
        importlib.import_module(f"{__package__}.{name}").register(report_app)
    app.add_typer(report_app, name="report")
