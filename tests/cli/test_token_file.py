"""Tokens by environment or by a 0600 file rather than on the command line (issue 11): a file
readable by group or others is refused with one clear line, for `hotline seat` and `hotline sync`."""

from __future__ import annotations

from pathlib import Path

import pytest

from operator_tui import launch, seat_start
from operator_tui.settings import CredentialError, read_token_file, resolve_token

pytestmark = pytest.mark.rule("R33.1")


def write(tmp_path: Path, text: str, mode: int) -> Path:
    f = tmp_path / "token"
    f.write_text(text)
    f.chmod(mode)
    return f


def test_a_0600_file_gives_its_token(tmp_path):
    assert read_token_file(write(tmp_path, "hl_operator_abc\n", 0o600)) == "hl_operator_abc"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_file_others_can_read_is_refused_with_the_fix(tmp_path, mode):
    f = write(tmp_path, "hl_operator_abc", mode)
    with pytest.raises(CredentialError, match=r"chmod 600"):
        read_token_file(f)


@pytest.mark.parametrize("text", ["", "  \n", "two tokens\n"])
def test_a_file_must_hold_exactly_one_token(tmp_path, text):
    with pytest.raises(CredentialError, match="exactly one token"):
        read_token_file(write(tmp_path, text, 0o600))


def test_token_and_token_file_together_is_a_mistake(tmp_path):
    with pytest.raises(CredentialError, match="both set"):
        resolve_token("hl_x", write(tmp_path, "hl_y", 0o600))
    assert resolve_token("hl_x", None) == "hl_x"


def test_sync_reads_the_token_file_and_refuses_a_readable_one(cli, tmp_path):
    assert cli("db", "init").code == 0
    loose = write(tmp_path, "hl_operator_abc", 0o644)
    r = cli("sync", "--server", "http://127.0.0.1:9", "--token-file", str(loose))
    assert r.code == 2 and "--token-file" in r.err and "chmod 600" in r.err and len(r.err_lines) == 1


def test_sync_takes_the_token_file_from_the_environment(cli, tmp_path, monkeypatch):
    assert cli("db", "init").code == 0
    monkeypatch.setenv("HOTLINE_TOKEN_FILE", str(tmp_path / "missing"))
    r = cli("sync", "--server", "http://127.0.0.1:9")
    assert r.code == 2 and "cannot read" in r.err and len(r.err_lines) == 1


def test_the_seat_refuses_a_readable_token_file_before_it_opens(tmp_path, monkeypatch, capsys):
    for var in ("HOTLINE_TOKEN", "HOTLINE_TOKEN_FILE", "HOTLINE_SERVER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOTLINE_DB", str(tmp_path / "seat.db"))
    loose = write(tmp_path, "hl_operator_abc", 0o644)
    with pytest.raises(SystemExit) as exit_:
        launch.main(["seat", "--server", "http://127.0.0.1:9", "--token-file", str(loose)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "chmod 600" in err and err.count("\n") == 1


def test_the_seat_passes_the_file_and_ca_to_its_start(tmp_path, monkeypatch):
    seen = {}

    def build(settings, caller, offline, role, token, defer=False, ca_file=None, **rest):
        seen.update(token=token, ca=ca_file)
        raise SystemExit(0)  # stop before the app opens

    monkeypatch.setattr(seat_start, "build_context", build)
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    f = write(tmp_path, "hl_operator_abc", 0o600)
    settings, opts = seat_start.parse_seat_args(
        ["seat", "--server", "https://h:1", "--token-file", str(f), "--ca-file", str(ca)], env={}
    )
    with pytest.raises(SystemExit):
        seat_start.run_seat(settings, opts)
    assert seen == {"token": "hl_operator_abc", "ca": str(ca)}


def test_a_missing_ca_file_stops_the_seat_with_one_line(tmp_path):
    settings, opts = seat_start.parse_seat_args(["seat", "--ca-file", str(tmp_path / "nope.pem")], env={})
    with pytest.raises(seat_start.SeatStartError, match="--ca-file: no file"):
        seat_start.run_seat(settings, opts)
