"""Where the key of an encrypted seat database comes from (issue 16; R33.2: data at rest on a seat
is encrypted, R33.1: it holds callers' names, phones and addresses).

A seat database is encrypted (SQLCipher) or plain; the file tells which (a plain SQLite file starts
with "SQLite format 3\\0", an encrypted one with random bytes). The key of an encrypted one comes
from, in this order:

1. the environment variable HOTLINE_DB_KEY;
2. a key file: `--key-file` or HOTLINE_DB_KEY_FILE, refused unless only its owner may read it (0600);
3. the OS keyring (the optional `keyring` package): service "hotline", user = the database's
   absolute path.

A key is 64 hex digits (256 random bits) used as SQLCipher's *raw* key. A passphrase would make
SQLCipher derive the key (PBKDF2, 256,000 rounds) at every connection, and the seat opens one per
unit of work. Keys are never printed or logged.

A plain database with a key configured (1 or 2) is refused rather than opened plain: whoever set the
key believes the data is encrypted. The keyring is asked only about an encrypted file, so a seat
that never opted in neither imports `keyring` nor waits on a keyring daemon.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..domain.errors import Misconfigured
from ..settings_table import ENV

ENV_KEY = ENV["db_key"]
ENV_KEY_FILE = ENV["key_file"]
KEYRING_SERVICE = "hotline"
SQLITE_MAGIC = b"SQLite format 3\x00"
SOURCES = "环境变量 HOTLINE_DB_KEY、密钥文件（--key-file 或 HOTLINE_DB_KEY_FILE）或系统钥匙串"
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")

# Keys this process has resolved, by database path: the knowledge base opens the seat's file by
# path (operator_tui/kb), after the Store found the key, possibly from a --key-file option.
_known: dict[str, Key] = {}


class KeyProblem(Misconfigured, RuntimeError):
    """A key cannot be found, read or kept; the message (Chinese, one line) says what to do."""


@dataclass(frozen=True)
class Key:
    hex: str
    source: str  # where it came from, in words for messages (never the key itself)
    kind: str = "env"  # "env", "file" or "keyring": where a new key replaces it (`hotline db rekey`)
    file: Path | None = None

    def __repr__(self) -> str:  # a Key in a traceback or a log never shows the key
        return f"Key(source={self.source!r})"


def new_key() -> str:
    import secrets  # hashlib and random behind it: only when a key is made, not on every start

    return secrets.token_hex(32)


def file_state(path: Path) -> str:
    """'new' (missing or empty: SQLite would make a new database), 'plain' or 'encrypted'."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return "new"
    if not head:
        return "new"
    return "plain" if head == SQLITE_MAGIC else "encrypted"


def _db_id(path: Path) -> str:
    return str(Path(path).expanduser().resolve())


def check_hex(text: str, where: str) -> str:
    key = text.strip()
    if not _HEX_KEY.fullmatch(key):
        raise KeyProblem(f"{where}中的密钥应为 64 位十六进制数字（如 `openssl rand -hex 32` 的输出）")
    return key.lower()


def read_key_file(file: Path) -> Key:
    """A key file: must exist, be a file, and be owner-only (0600 or stricter)."""
    file = Path(file).expanduser()
    try:
        st = file.stat()
    except FileNotFoundError:
        raise KeyProblem(f"找不到密钥文件 {file}") from None
    if not stat.S_ISREG(st.st_mode):
        raise KeyProblem(f"密钥文件 {file} 不是普通文件")
    if st.st_mode & 0o077:
        raise KeyProblem(
            f"密钥文件 {file} 的权限为 {stat.S_IMODE(st.st_mode):04o}，其他用户可读；请运行 chmod 600 {file}"
        )
    try:
        text = file.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise KeyProblem(f"无法读取密钥文件 {file}（{exc.strerror or exc}）") from None
    return Key(check_hex(text, f"密钥文件 {file} "), f"密钥文件 {file}", "file", file)


def write_key_file(file: Path, key: str) -> None:
    """A new key file, mode 0600 from its first byte; never overwrites one."""
    file = Path(file).expanduser()
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyProblem(f"密钥文件 {file} 已存在，不会覆盖") from None
    except OSError as exc:
        raise KeyProblem(f"无法创建密钥文件 {file}（{exc.strerror or exc}）") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
        f.flush()
        os.fsync(f.fileno())


def replace_key_file(file: Path, key: str) -> None:
    """Put a new key into an existing key file atomically (rekey): a crash leaves the old or the new."""
    file = Path(file).expanduser()
    tmp = file.with_name(file.name + ".new")
    tmp.unlink(missing_ok=True)
    write_key_file(tmp, key)
    os.replace(tmp, file)


def explicit_key(key_file: Path | None = None, env: Mapping[str, str] | None = None) -> Key | None:
    """A key configured for this process (1 and 2 above), or None."""
    given: Mapping[str, str] = os.environ if env is None else env
    if given.get(ENV_KEY):
        return Key(check_hex(given[ENV_KEY], "环境变量 HOTLINE_DB_KEY "), "环境变量 HOTLINE_DB_KEY")
    file = key_file or (Path(given[ENV_KEY_FILE]) if given.get(ENV_KEY_FILE) else None)
    return read_key_file(file) if file is not None else None


def _keyring() -> ModuleType:
    try:
        import keyring
    except ImportError:
        raise KeyProblem(
            "系统钥匙串不可用：未安装 keyring 包（pip install keyring）；请改用 --key-file 或 HOTLINE_DB_KEY"
        ) from None
    found: ModuleType = keyring  # the package ships no types
    return found


def keyring_get(db_path: Path) -> Key | None:
    """The keyring's key for `db_path`, or None; KeyProblem when there is no usable keyring."""
    keyring = _keyring()
    try:
        text = keyring.get_password(KEYRING_SERVICE, _db_id(db_path))
    except Exception as exc:  # any backend's failure (no backend, no D-Bus, locked): said, not raised raw
        raise KeyProblem(
            f"系统钥匙串不可用（{type(exc).__name__}）：没有可用的钥匙串后端；请改用 --key-file 或 HOTLINE_DB_KEY"
        ) from None
    return Key(check_hex(text, "系统钥匙串"), "系统钥匙串", "keyring") if text else None


def keyring_put(db_path: Path, key: str) -> None:
    keyring = _keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, _db_id(db_path), key)
        if keyring.get_password(KEYRING_SERVICE, _db_id(db_path)) != key:
            raise RuntimeError("read-back differs")
    except Exception as exc:
        raise KeyProblem(f"无法把密钥存入系统钥匙串（{type(exc).__name__}）；请改用 --key-file") from None


def resolve(db_path: Path, key_file: Path | None = None) -> Key | None:
    """The key to open `db_path` with, or None for a plain (or new, unkeyed) database."""
    state = file_state(db_path)
    explicit = explicit_key(key_file)
    if state == "plain":
        if explicit is not None:
            raise KeyProblem(
                f"数据库未加密，但配置了密钥（{explicit.source}）；请先运行 hotline db encrypt 加密它，或取消该密钥"
            )
        return None
    if state == "new" or explicit is not None:
        return explicit
    known = _known.get(_db_id(db_path))
    if known is not None:
        return known
    try:
        found = keyring_get(db_path)
    except KeyProblem as exc:
        unavailable = str(exc).split("；")[0]  # what the keyring lacks, without its own advice
        raise KeyProblem(f"数据库已加密，需要密钥：请设置{SOURCES}；{unavailable}") from None
    if found is None:
        raise KeyProblem(f"数据库已加密，需要密钥：请设置{SOURCES}")
    return found


def remember(db_path: Path, key: Key | None) -> None:
    if key is None:
        _known.pop(_db_id(db_path), None)
    else:
        _known[_db_id(db_path)] = key


def known(db_path: Path) -> Key | None:
    return _known.get(_db_id(db_path))
