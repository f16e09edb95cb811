"""Which switch a seat talks to: `freeswitch://host:8021?agent=…` or `asterisk://host:5038?interface=…`.

Credentials never come from the URL or the command line (a command line shows in `ps`): they come
from HOTLINE_CTI_USER / HOTLINE_CTI_PASSWORD, or from the file named by HOTLINE_CTI_SECRET_FILE that
only its owner may read (0600), holding `user = …` and `password = …` lines. Every mistake is a
`CtiConfigError` of one line that says what to fix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from .boundary import CtiConfigError

DEFAULT_PORTS = {"freeswitch": 8021, "asterisk": 5038}
# Query keys each switch understands, with what they mean (for the error that lists them).
KEYS = {
    "freeswitch": {
        "agent": "mod_callcenter 坐席名，如 1001@default",
        "extension": "坐席分机号，如 1001（默认取 agent 的 @ 之前部分）",
        "endpoint": "坐席话机拨号串，如 user/1001（默认 user/<extension>）",
        "context": "转接和外呼用的拨号计划 context（默认 default）",
        "caller_id": "外呼和三方通话显示的主叫号码（默认 8890）",
        "format": "事件格式 json 或 plain（默认 json）",
    },
    "asterisk": {
        "interface": "队列成员接口，如 PJSIP/1001",
        "context": "转接和外呼用的拨号计划 context（默认 from-internal）",
        "queue": "示忙/示闲只作用于这个队列（默认全部队列）",
        "caller_id": "外呼和三方通话显示的主叫号码（默认 8890）",
        "hold_context": "保持时来电方进入的 context（默认 hotline-hold）",
        "wait_context": "保持时坐席进入的 context（默认 hotline-wait）",
        "record_dir": "MixMonitor 录音目录（默认 /var/spool/asterisk/monitor，空则不录）",
    },
}
REQUIRED = {"freeswitch": "agent", "asterisk": "interface"}


@dataclass(frozen=True)
class CtiConfig:
    kind: str  # "freeswitch" or "asterisk"
    host: str
    port: int
    user: str | None
    password: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The URL without credentials (safe to show and log)."""
        return f"{self.kind}://{self.host}:{self.port}"

    def option(self, key: str, default: str | None = None) -> str | None:
        return self.options.get(key) or default


def parse_cti_url(url: str, env: Mapping[str, str] | None = None) -> CtiConfig:
    """The configuration in `url` plus the credentials from `env` (default: os.environ)."""
    env = os.environ if env is None else env
    parts = urlsplit(url.strip())
    kind = parts.scheme.lower()
    if kind not in DEFAULT_PORTS:
        raise CtiConfigError(
            f"--cti：地址 {url!r} 应以 freeswitch:// 或 asterisk:// 开头，"
            "如 freeswitch://10.0.0.5:8021?agent=1001@default"
        )
    if parts.username or parts.password:
        raise CtiConfigError(
            "--cti：地址里不要写用户名或密码；请用 HOTLINE_CTI_USER/HOTLINE_CTI_PASSWORD "
            "或 HOTLINE_CTI_SECRET_FILE（权限 600 的文件）"
        )
    if not parts.hostname:
        raise CtiConfigError(f"--cti：地址 {url!r} 缺少主机名，如 {kind}://10.0.0.5:{DEFAULT_PORTS[kind]}")
    try:
        port = parts.port or DEFAULT_PORTS[kind]
    except ValueError:
        raise CtiConfigError(f"--cti：地址 {url!r} 的端口不是 1–65535 的数字") from None
    if parts.path not in ("", "/"):
        raise CtiConfigError(f"--cti：地址 {url!r} 不应有路径 {parts.path!r}；参数写在 ? 之后")
    options: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in KEYS[kind]:
            known = "、".join(KEYS[kind])
            raise CtiConfigError(f"--cti：{kind} 地址不认识参数 {key!r}；可用参数：{known}")
        options[key] = value.strip()
    need = REQUIRED[kind]
    if not options.get(need):
        raise CtiConfigError(f"--cti：{kind} 地址缺少 {need}=（{KEYS[kind][need]}）")
    if kind == "freeswitch" and options.get("format", "json") not in ("json", "plain"):
        raise CtiConfigError("--cti：format 只能是 json 或 plain")
    for key in ("agent", "extension", "interface", "queue", "context"):
        if key in options and not re.fullmatch(r"[\w@./:+-]+", options[key]):
            raise CtiConfigError(f"--cti：参数 {key}={options[key]!r} 含有空格或特殊字符")
    user, password = _credentials(env)
    if kind == "asterisk" and not user:
        raise CtiConfigError("--cti：Asterisk AMI 需要用户名：设置 HOTLINE_CTI_USER，或在密钥文件中写 user = …")
    return CtiConfig(kind, parts.hostname, port, user, password, options)


def _credentials(env: Mapping[str, str]) -> tuple[str | None, str]:
    secret_file = env.get("HOTLINE_CTI_SECRET_FILE")
    if secret_file and env.get("HOTLINE_CTI_PASSWORD"):
        raise CtiConfigError("HOTLINE_CTI_PASSWORD 和 HOTLINE_CTI_SECRET_FILE 同时设置了：只用其中一种给出密码")
    if secret_file:
        values = read_secret_file(Path(secret_file))
        return values.get("user") or env.get("HOTLINE_CTI_USER"), values["password"]
    password = env.get("HOTLINE_CTI_PASSWORD")
    if not password:
        raise CtiConfigError(
            "缺少电话系统密码：设置 HOTLINE_CTI_PASSWORD，或 HOTLINE_CTI_SECRET_FILE 指向权限 600 的文件"
        )
    return env.get("HOTLINE_CTI_USER") or None, password


def read_secret_file(path: Path) -> dict[str, str]:
    """`user = …` / `password = …` lines from a file only its owner can read."""
    path = path.expanduser()
    try:
        mode = path.stat().st_mode
        if mode & 0o077:
            raise CtiConfigError(
                f"HOTLINE_CTI_SECRET_FILE：{path} 组或其他用户可读（权限 {mode & 0o777:o}）；请执行 chmod 600 {path}"
            )
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CtiConfigError(f"HOTLINE_CTI_SECRET_FILE：无法读取 {path}（{exc.strerror or exc}）") from None
    except UnicodeDecodeError:
        raise CtiConfigError(f"HOTLINE_CTI_SECRET_FILE：{path} 不是文本文件") from None
    values: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip().lower()
        if not sep or key not in ("user", "password"):
            raise CtiConfigError(f"HOTLINE_CTI_SECRET_FILE：{path} 第 {n} 行应为 user = … 或 password = …")
        values[key] = value.strip()
    if not values.get("password"):
        raise CtiConfigError(f"HOTLINE_CTI_SECRET_FILE：{path} 缺少 password = … 一行")
    return values
