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
    # False when `operator` is only the OS user: a seat with a token then takes the person from
    # the token (GET /v1/me) rather than from getpass (issue 11: "工号root").
    operator_explicit: bool = True

    @classmethod
    def resolve(cls, db: Path | None = None, operator: str | None = None, server: str | None = None) -> "Settings":
        config_dir = Path(os.environ.get("HOTLINE_CONFIG_DIR") or _platform_dir("config"))
        db_path = db or (Path(os.environ["HOTLINE_DB"]) if os.environ.get("HOTLINE_DB") else _platform_dir("data") / "seat.db")
        given = operator or os.environ.get("HOTLINE_OPERATOR")
        return cls(
            db_path=Path(db_path).expanduser(),
            operator=given or getpass.getuser(),
            server_url=server or os.environ.get("HOTLINE_SERVER") or None,
            config_dir=config_dir,
            operator_explicit=bool(given),
        )

    @property
    def keymap_path(self) -> Path:
        return self.config_dir / "keymap.toml"


def _platform_dir(kind: str) -> Path:
    """The per-user folder of `kind` (data, config) for this platform; imported when needed."""
    import platformdirs

    return platformdirs.user_data_path(APP) if kind == "data" else platformdirs.user_config_path(APP)


class CredentialError(ValueError):
    """A token or CA file cannot be used; the message names the option and what to fix."""


def read_token_file(path: str | Path) -> str:
    """The token in `path` (`--token-file`, HOTLINE_TOKEN_FILE): a file only its owner can read,
    so the token never sits on a command line (visible in `ps`) or in a world-readable file."""
    path = Path(path).expanduser()
    try:
        mode = path.stat().st_mode
        if mode & 0o077:
            raise CredentialError(f"--token-file: {path} can be read by group or others (mode {mode & 0o777:o}); "
                                  f"run `chmod 600 {path}`")
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CredentialError(f"--token-file: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CredentialError(f"--token-file: {path} is not a text file holding one token") from None
    if not text or len(text.split()) != 1:
        raise CredentialError(f"--token-file: {path} must hold exactly one token (from `hotline server token add`)")
    return text


def resolve_token(token: str | None, token_file: str | Path | None) -> str | None:
    """The token from `--token`/HOTLINE_TOKEN or from `--token-file`/HOTLINE_TOKEN_FILE; both is a mistake."""
    if token and token_file:
        raise CredentialError("--token and --token-file are both set (check HOTLINE_TOKEN and HOTLINE_TOKEN_FILE): "
                              "give the token one way")
    return read_token_file(token_file) if token_file else (token or None)


def check_ca_file(path: str | Path | None) -> None:
    """`--ca-file` / HOTLINE_CA_FILE must name a readable file (its certificates are read later)."""
    if path and not Path(path).expanduser().is_file():
        raise CredentialError(f"--ca-file: no file at {path} (a PEM file with the centre's CA certificate)")
