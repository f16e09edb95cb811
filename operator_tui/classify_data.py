"""Loading the seat-assist suggester (issue 13 part 4): the only part of it that touches files.

Built once per process from the packaged data and kept; the seat imports this lazily, when the
first description is typed, never on its start-up path.
"""

from __future__ import annotations

import functools

from . import data
from .domain.classify import Suggester, build_suggester

MODEL_FILE = "classify_model.json"


@functools.lru_cache(maxsize=1)
def packaged_suggester() -> Suggester:
    model = data.data_dir() / MODEL_FILE
    return build_suggester(
        data.read_text("matters.toml"),
        data.read_text("places.toml"),
        data.read_text("classify.toml"),
        model.read_text(encoding="utf-8") if model.exists() else "{}",
    )
