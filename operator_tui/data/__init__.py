"""Default data files shipped with the package (taxonomies, policy, holidays, triage rules, sample KB).

Only this module and the loaders know where they live; the domain gets their text, never a path.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_dir() -> Path:
    """The folder holding the packaged data files."""
    return Path(str(resources.files(__package__)))


def read_text(name: str) -> str:
    """The text of one packaged data file, by its name relative to the data folder."""
    return (data_dir() / name).read_text(encoding="utf-8")
