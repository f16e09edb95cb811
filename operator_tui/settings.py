"""Where things live and who is at the seat, resolved once in the CLI and passed down.

Nothing here runs at import: paths come from `platformdirs` only when `Settings.resolve` is called.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

APP = "hotline"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    operator: str
    server_url: str | None
    config_dir: Path

    @classmethod
    def resolve(cls, db: Path | None = None, operator: str | None = None, server: str | None = None) -> "Settings":
        config_dir = Path(os.environ.get("HOTLINE_CONFIG_DIR") or _platform_dir("config"))
        db_path = db or (Path(os.environ["HOTLINE_DB"]) if os.environ.get("HOTLINE_DB") else _platform_dir("data") / "seat.db")
        return cls(
            db_path=Path(db_path).expanduser(),
            operator=operator or os.environ.get("HOTLINE_OPERATOR") or getpass.getuser(),
            server_url=server or os.environ.get("HOTLINE_SERVER") or None,
            config_dir=config_dir,
        )

    @property
    def keymap_path(self) -> Path:
        return self.config_dir / "keymap.toml"


def _platform_dir(kind: str) -> Path:
    """The per-user folder of `kind` (data, config) for this platform; imported when needed."""
    import platformdirs

    return platformdirs.user_data_path(APP) if kind == "data" else platformdirs.user_config_path(APP)
