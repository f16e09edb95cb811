"""TLS (issue 11): `hotline server --tls-cert --tls-key` serves HTTPS; `hotline sync` and the seat's
client verify it against a CA file (or the system's CAs) and refuse a server they do not trust with
one clear line, not a traceback. The certificate is made in the test (trustme)."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from server_stub import bootstrap

trustme = pytest.importorskip("trustme")
pytestmark = [pytest.mark.slow, pytest.mark.rule("R33.1")]

ROOT = Path(__file__).resolve().parents[2]
MAIN = "import sys; from operator_tui.launch import main; main(sys.argv[1:])"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """A real `hotline server` process over HTTPS on 127.0.0.1, with a certificate from a test CA."""
    from operator_tui.config import default_rules

    tmp = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp / "server.pem"))
    cert.private_key_pem.write_to_path(str(tmp / "server.key"))
    ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
    other = trustme.CA()  # a CA that did not sign the server's certificate
    other.cert_pem.write_to_path(str(tmp / "other-ca.pem"))
    db = tmp / "server.db"
    issued = bootstrap.init(db, datetime.now(UTC), seats=["012"], known_units=default_rules().taxonomy.units)
    token = next(t for p, t in issued if p.seat == "012")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")} | {"PYTHONPATH": str(ROOT)}
    log = open(tmp / "server.log", "wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            MAIN,
            "server",
            "--db",
            str(db),
            "--port",
            str(port),
            "--sweep-every",
            "0",
            "--log-level",
            "warning",
            "--tls-cert",
            str(tmp / "server.pem"),
            "--tls-key",
            str(tmp / "server.key"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"https://127.0.0.1:{port}"
    trust = ssl.create_default_context(cafile=str(tmp / "ca.pem"))
    deadline = time.monotonic() + 60  # bounds a hung start only; not a measure
    while True:
        assert proc.poll() is None, (tmp / "server.log").read_text()
        try:
            if httpx.get(f"{url}/healthz", verify=trust, timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not come up"
        time.sleep(0.05)
    yield {"url": url, "token": token, "dir": tmp, "port": port}
    proc.terminate()
    proc.wait(10)
    log.close()


def token_file(tmp_path: Path, token: str) -> Path:
    f = tmp_path / "token"
    f.write_text(token + "\n")
    f.chmod(0o600)
    return f


def test_the_server_speaks_https_only(tls_server):
    with pytest.raises(httpx.TransportError):  # plain http to the TLS port is not served
        httpx.get(f"http://127.0.0.1:{tls_server['port']}/healthz", timeout=2)


def test_sync_verifies_the_server_with_the_ca_file(cli, tls_server, tmp_path):
    assert cli("db", "init", "--seat-code", "012").code == 0
    r = cli(
        "sync",
        "--server",
        tls_server["url"],
        "--token-file",
        str(token_file(tmp_path, tls_server["token"])),
        "--ca-file",
        str(tls_server["dir"] / "ca.pem"),
        "--quiet",
    )
    assert r.code == 0, r.err
    assert "已推送 0 条" in r.out


@pytest.mark.parametrize("ca", [None, "other-ca.pem"], ids=["system CAs", "another CA"])
def test_sync_refuses_a_server_it_does_not_trust_in_one_line(cli, tls_server, tmp_path, ca):
    assert cli("db", "init", "--seat-code", "012").code == 0
    args = ["--ca-file", str(tls_server["dir"] / ca)] if ca else []
    r = cli("sync", "--server", tls_server["url"], "--token", tls_server["token"], "--quiet", *args)
    assert r.code == 2
    assert "certificate is not trusted" in r.err and "--ca-file" in r.err
    assert "Traceback" not in r.err and len(r.err_lines) == 1


def test_the_seats_client_verifies_the_server_too(tls_server):
    from operator_tui.sync.client import HotlineClient, http_client
    from operator_tui.sync.errors import ServerNotTrusted

    with http_client(tls_server["url"], timeout=5, ca_file=str(tls_server["dir"] / "ca.pem")) as http:
        assert HotlineClient(http, tls_server["token"]).me().seat == "012"
    with http_client(tls_server["url"], timeout=5) as http, pytest.raises(ServerNotTrusted):
        HotlineClient(http, tls_server["token"], sleep=lambda s: None).me()


def test_tls_options_are_checked_before_the_server_starts(cli, tmp_path):
    r = cli("server", "--db", str(tmp_path / "s.db"), "--tls-cert", str(tmp_path / "nope.pem"))
    assert r.code == 2 and "--tls-key" in r.err
    (tmp_path / "bad.pem").write_text("not a certificate")
    r = cli(
        "server",
        "--db",
        str(tmp_path / "s.db"),
        "--tls-cert",
        str(tmp_path / "bad.pem"),
        "--tls-key",
        str(tmp_path / "bad.pem"),
    )
    assert r.code == 2 and "cannot use" in r.err and len(r.err_lines) == 1
