"""Default data files shipped with the package (taxonomies, policy, holidays, triage rules, sample KB).

Only this module and the loaders know where they live; the domain gets their text, never a path.
"""

from __future__ import annotations

from pathlib import Path


def data_dir() -> Path:
    """The folder holding the packaged data files (installed as plain files, never zipped; not
    importlib.resources, whose import costs the seat's start ~3 ms)."""
    return Path(__file__).resolve().parent


def read_text(name: str) -> str:
    """The text of one packaged data file, by its name relative to the data folder."""
    return (data_dir() / name).read_text(encoding="utf-8")
