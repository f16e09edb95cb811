"""Fixtures shared by the domain tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from operator_tui.domain.classify import Suggester, build_suggester

PACKAGE_DATA = Path(__file__).parents[2] / "operator_tui" / "data"


@pytest.fixture(scope="module")
def suggester() -> Suggester:
    """The seat-assist suggester built from the packaged data files themselves (not a site's)."""

    def text(name: str) -> str:
        return (PACKAGE_DATA / name).read_text(encoding="utf-8")

    return build_suggester(
        text("matters.toml"), text("places.toml"), text("classify.toml"), text("classify_model.json")
    )
