"""The settings of one run: where things live, who is at the seat, how it connects (issue 18).

Every setting is declared once in `settings_table.SETTINGS` (name, environment variable, options,
config-file key, default, scope). `Settings.resolve` is called once at each entry point (the seat's
short path, the CLI's root callback) and the object is passed down; modules do not read the
environment for a setting themselves. Resolution order: command-line option > environment variable
> `<config_dir>/config.toml` (optional) > default.

Nothing here runs at import: paths come from `platformdirs` only when `Settings.resolve` is called,
and `tomllib` is imported only when a config file exists.

    python -m operator_tui.settings --markdown     the README's settings table
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .domain.errors import BadInput, Misconfigured
from .settings_table import BY_NAME, ENV, FILE_KEYS

APP = "hotline"
CONFIG_FILE = "config.toml"


class SettingsError(Misconfigured, ValueError):
    """The config file cannot be used; the message (Chinese, one line) names the file and the key."""


@dataclass(frozen=True)
class Settings:
    db_path: Path
    operator: str
    server_url: str | None
    config_dir: Path
    # False when `operator` is only the OS user: a seat with a token then takes the person from
    # the token (GET /v1/me) rather than from getpass (issue 11: "工号root").
    operator_explicit: bool = True
    keymap: Path | None = None
    role: str = "operator"
    # Secrets stay out of repr, so a settings object in a traceback or a log line shows none.
    token: str | None = field(default=None, repr=False)
    token_file: str | None = None
    ca_file: str | None = None
    db_key: str | None = field(default=None, repr=False)
    key_file: str | None = None
    cti: str | None = None
    cti_user: str | None = None
    cti_password: str | None = field(default=None, repr=False)
    cti_secret_file: str | None = None
    triage_rules: Path | None = None
    policy: Path | None = None
    holidays: Path | None = None
    server_db: str | None = None  # a file path or a postgresql:// URL, as `--db` of `hotline server`
    tls_cert: Path | None = None
    tls_key: Path | None = None
    reports_dir: Path | None = None

    @classmethod
    def resolve(
        cls,
        db: Path | None = None,
        operator: str | None = None,
        server: str | None = None,
        *,
        cli: Mapping[str, object] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """The settings from the command line (`db`, `operator`, `server`, or any setting by name in
        `cli`), then the environment, then the config file, then the defaults. Raises SettingsError
        for a config file that cannot be used."""
        env = os.environ if env is None else env
        given = {
            k: v
            for k, v in {"db": db, "operator": operator, "server": server, **(cli or {})}.items()
            if v is not None and v != ""
        }
        unknown = set(given) - set(BY_NAME)
        if unknown:  # a programming error, not a user's: the caller named a setting that is not declared
            raise KeyError(f"not in settings_table.SETTINGS: {sorted(unknown)}")
        config_dir = Path(str(given.get("config_dir") or env.get(ENV["config_dir"]) or _platform_dir("config")))
        in_file = read_config_file(config_dir / CONFIG_FILE)

        def pick(name: str) -> str | None:
            if name in given:
                return str(given[name])
            if env.get(ENV[name]):
                return env[ENV[name]]
            key = BY_NAME[name].key
            return in_file.get(key) if key else None

        def path(name: str) -> Path | None:
            value = pick(name)
            return Path(value).expanduser() if value else None

        who = pick("operator")
        return cls(
            db_path=path("db") or _platform_dir("data") / "seat.db",
            operator=who or getpass.getuser(),
            server_url=pick("server"),
            config_dir=config_dir,
            operator_explicit=bool(who),
            keymap=path("keymap"),
            role=pick("role") or "operator",
            token=pick("token"),
            token_file=pick("token_file"),
            ca_file=pick("ca_file"),
            db_key=pick("db_key"),
            key_file=pick("key_file"),
            cti=pick("cti"),
            cti_user=pick("cti_user"),
            cti_password=pick("cti_password"),
            cti_secret_file=pick("cti_secret_file"),
            triage_rules=path("triage_rules"),
            policy=path("policy"),
            holidays=path("holidays"),
            server_db=pick("server_db"),
            tls_cert=path("tls_cert"),
            tls_key=path("tls_key"),
            reports_dir=path("reports_dir"),
        )

    def given(self, **options: object) -> Settings:
        """These settings with a sub-command's own options on top (None: not given on the command
        line, the resolved value stays). Typer already folded the environment into them, which
        is the same value `resolve` found, so the order CLI > environment > file holds."""
        if "server" in options:
            options["server_url"] = options.pop("server")
        given: dict[str, Any] = {k: v for k, v in options.items() if v is not None and v != ""}
        return replace(self, **given)

    @property
    def keymap_path(self) -> Path:
        return self.keymap or self.config_dir / "keymap.toml"

    @property
    def key_path(self) -> Path | None:
        """The key_file setting as a path (None: the database key comes from elsewhere)."""
        return Path(self.key_file).expanduser() if self.key_file else None

    def cti_credentials(self) -> dict[str, str]:
        """The phone system's credentials as `cti.parse_cti_url` reads them (by their variables'
        names, which its messages quote), from these settings rather than the process environment."""
        values = {"cti_user": self.cti_user, "cti_password": self.cti_password, "cti_secret_file": self.cti_secret_file}
        return {ENV[name]: value for name, value in values.items() if value}


def environment(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """The environment's value of setting `name` (spelled by settings_table.ENV), for the few readers
    deep in the library that are not handed the settings: the site's policy and holiday files (read
    by every rules loader of the process, cached per process) and the database key (read where a
    store is opened). Everything else comes from `Settings.resolve` at the entry point."""
    value = (os.environ if env is None else env).get(ENV[name])
    return value or None


def read_config_file(path: Path) -> dict[str, str]:
    """The settings in `path` (config.toml), key → text; {} when there is no file. A file that is
    there but wrong is a SettingsError naming the file and the key, never silently skipped."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError(f"配置文件 {path}：无法读取（{exc.strerror or exc}）") from None
    import tomllib  # only when there is a file: the seat's start-up does not pay for it otherwise

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SettingsError(f"配置文件 {path}：不是 UTF-8 文本") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            f'配置文件 {path}：{_where(raw, str(exc))}TOML 格式错误（{exc}）；值要加引号，如 server = "https://…"'
        ) from None
    values: dict[str, str] = {}
    for key, value in data.items():
        if key not in FILE_KEYS:
            known = "、".join(sorted(FILE_KEYS))
            hint = f"（{key} 只能由环境变量 {ENV[key]} 给出）" if key in BY_NAME else ""
            raise SettingsError(f"配置文件 {path}：未知的键 {key!r}{hint}；可用的键：{known}")
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(f'配置文件 {path}：键 {key!r} 应为非空字符串，如 {key} = "…"')
        values[key] = value.strip()
    return values


def _where(raw: bytes, message: str) -> str:
    """ "键 'role'：" for the line a TOML error points at (tomllib says only the line and column)."""
    import re

    found = re.search(r"at line (\d+)", message)
    lines = raw.decode("utf-8", "replace").splitlines()
    if not found or not 0 < int(found.group(1)) <= len(lines):
        return ""
    key = lines[int(found.group(1)) - 1].partition("=")[0].strip()
    return f"键 {key!r}：" if key and "=" in lines[int(found.group(1)) - 1] else ""


def _platform_dir(kind: str) -> Path:
    """The per-user folder of `kind` (data, config) for this platform; imported when needed."""
    import platformdirs

    return platformdirs.user_data_path(APP) if kind == "data" else platformdirs.user_config_path(APP)


class CredentialError(BadInput, ValueError):
    """A token or CA file cannot be used; the message names the option and what to fix."""


def read_token_file(path: str | Path) -> str:
    """The token in `path` (`--token-file`, HOTLINE_TOKEN_FILE): a file only its owner can read,
    so the token never sits on a command line (visible in `ps`) or in a world-readable file."""
    path = Path(path).expanduser()
    try:
        mode = path.stat().st_mode
        if mode & 0o077:
            raise CredentialError(
                f"--token-file: {path} can be read by group or others (mode {mode & 0o777:o}); run `chmod 600 {path}`"
            )
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
        raise CredentialError(
            "--token and --token-file are both set (check HOTLINE_TOKEN and HOTLINE_TOKEN_FILE): give the token one way"
        )
    return read_token_file(token_file) if token_file else (token or None)


def check_ca_file(path: str | Path | None) -> None:
    """`--ca-file` / HOTLINE_CA_FILE must name a readable file (its certificates are read later)."""
    if path and not Path(path).expanduser().is_file():
        raise CredentialError(f"--ca-file: no file at {path} (a PEM file with the centre's CA certificate)")


if __name__ == "__main__":
    import sys

    from .settings_table import markdown

    if sys.argv[1:] != ["--markdown"]:
        print("用法：python -m operator_tui.settings --markdown", file=sys.stderr)
        sys.exit(2)
    sys.stdout.write(markdown())
