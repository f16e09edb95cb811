"""A throwaway PostgreSQL cluster from the machine's binaries: for the tests, the benchmark and the
standby drill. Not used by the server itself, which takes a `postgresql://` URL to any cluster.

`initdb` refuses to run as root, and CI runs as root: then every server-side command runs as the
`postgres` system user (`runuser -u postgres --`) in a directory that user owns. The cluster
listens on 127.0.0.1 only, on a free port, trusts local connections (it is somebody's test, never
a city's data), and its socket lives in its own directory rather than /var/run/postgresql.

The locale is C.UTF-8: text sorts by code point (times stored as ISO text compare as on SQLite)
and the character classes know CJK, which pg_trgm needs to make trigrams of Chinese names.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from operator_tui.domain.errors import Misconfigured
from operator_tui.settings_table import ENV

PG_VERSION = "15"

# Settings of a cluster nobody's data depends on: durability off makes tests fast. The benchmark
# and the standby drill pass durable=True and get PostgreSQL's defaults.
FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class ClusterError(Misconfigured, RuntimeError):
    """The throwaway cluster cannot be made or started; the message says what to install or check."""


def bin_dir() -> Path:
    """PostgreSQL's server binaries: $HOTLINE_PG_BIN, else Debian's /usr/lib/postgresql/15/bin."""
    # HOTLINE_PG_BIN is a test hook (settings_table scope test), read here rather than passed down
    candidates = [os.environ.get(ENV["pg_bin"], ""), f"/usr/lib/postgresql/{PG_VERSION}/bin"]
    candidates += (
        sorted((str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")), reverse=True)
        if Path("/usr/lib/postgresql").is_dir()
        else []
    )
    for c in candidates:
        if c and (Path(c) / "initdb").is_file():
            return Path(c)
    raise ClusterError(
        "PostgreSQL server binaries not found (initdb): install them with "
        "`apt-get install -y postgresql` or set HOTLINE_PG_BIN"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


@dataclass
class Cluster:
    root: Path
    port: int
    bin: Path = field(default_factory=bin_dir)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        r = subprocess.run([*_as_owner(), *args], capture_output=True, text=True)
        if check and r.returncode != 0:
            raise ClusterError(f"{Path(args[0]).name} failed ({r.returncode}): {(r.stderr or r.stdout).strip()[-800:]}")
        return r

    @classmethod
    def create(cls, root: Path | None = None, *, durable: bool = False, settings: tuple[str, ...] = ()) -> Cluster:
        """initdb a new cluster in `root` (a new temporary directory by default) and start it."""
        root = Path(root or tempfile.mkdtemp(prefix="hotline-pg-"))
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        _chown(root)
        cluster = cls(root, free_port())
        cluster._run(
            str(cluster.bin / "initdb"),
            "-D",
            str(cluster.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        conf = [
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{root}'",
            "max_connections = 300",
            "wal_level = replica",
            "max_wal_senders = 5",
            "shared_buffers = 128MB",
            *([] if durable else FAST),
            *settings,
        ]
        with open(cluster.data / "postgresql.conf", "a") as f:
            f.write("\n".join(conf) + "\n")
        with open(cluster.data / "pg_hba.conf", "a") as f:  # replication for the standby drill
            f.write("host replication all 127.0.0.1/32 trust\n")
        cluster.start()
        return cluster

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port}",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def kill(self) -> None:
        """SIGKILL the postmaster: a machine lost, as far as this cluster can tell."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, 9)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def sql(self, statement: str, dbname: str = "postgres") -> None:
        import psycopg  # only when a statement is run: starting or stopping the cluster needs no driver

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(statement)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template` if given: a migrated template is fast to copy)."""
        self.sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def standby(self, root: Path | None = None, *, name: str = "standby") -> Cluster:
        """A streaming replica of this cluster made with pg_basebackup (-R writes its primary_conninfo),
        started; `application_name` is `name`, for synchronous_standby_names."""
        root = Path(root or tempfile.mkdtemp(prefix="hotline-pg-standby-"))
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        _chown(root)
        replica = Cluster(root, free_port(), self.bin)
        self._run(
            str(self.bin / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-D",
            str(replica.data),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
            "-d",
            f"application_name={name}",
        )
        with open(replica.data / "postgresql.conf", "a") as f:
            f.write(f"unix_socket_directories = '{root}'\n")
        replica.start()
        return replica

    def promote(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "promote")
