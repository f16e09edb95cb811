"""One settings object (issue 18): command line > environment > config.toml > default, and a config
file that cannot be used is one Chinese line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from operator_tui.settings import Settings, SettingsError
from operator_tui.settings_table import ENV, FILE_KEYS, SETTINGS


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {ENV["config_dir"]: str(tmp_path / "cfg"), **extra}


def _write_config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "cfg").mkdir(exist_ok=True)
    path = tmp_path / "cfg" / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_level_wins_over_the_ones_below_it(tmp_path):
    _write_config(
        tmp_path, 'server = "http://file:1"\nrole = "supervisor"\ndb = "/file/seat.db"\nkeymap = "/file/keys.toml"\n'
    )
    env = _env(tmp_path, HOTLINE_SERVER="http://env:2", HOTLINE_DB="/env/seat.db")
    s = Settings.resolve(db=Path("/cli/seat.db"), env=env)
    assert s.db_path == Path("/cli/seat.db")  # option over environment over file
    assert s.server_url == "http://env:2"  # environment over file
    assert s.role == "supervisor"  # file over default
    assert s.keymap_path == Path("/file/keys.toml")
    assert s.triage_rules is None and s.tls_cert is None  # default: nothing given anywhere
    assert Settings.resolve(env=_env(tmp_path)).db_path == Path("/file/seat.db")


def test_defaults_without_file_or_environment(tmp_path):
    s = Settings.resolve(env=_env(tmp_path))
    assert s.role == "operator" and s.server_url is None and not s.operator_explicit
    assert s.db_path.name == "seat.db"
    assert s.keymap_path == tmp_path / "cfg" / "keymap.toml"


def test_the_keymap_path_is_a_setting(tmp_path):
    _write_config(tmp_path, 'keymap = "/etc/hotline/keys.toml"\n')
    assert Settings.resolve(env=_env(tmp_path)).keymap_path == Path("/etc/hotline/keys.toml")
    s = Settings.resolve(env=_env(tmp_path, HOTLINE_KEYMAP="/tmp/k.toml"))
    assert s.keymap_path == Path("/tmp/k.toml")


def test_cli_settings_by_name_and_sub_command_options(tmp_path):
    s = Settings.resolve(cli={"role": "admin", "server": "http://cli:3"}, env=_env(tmp_path, HOTLINE_ROLE="operator"))
    assert (s.role, s.server_url) == ("admin", "http://cli:3")
    t = s.given(server="http://sub:4", token=None, ca_file="/ca.pem")
    assert (t.server_url, t.ca_file, t.token) == ("http://sub:4", "/ca.pem", None)
    with pytest.raises(KeyError):
        Settings.resolve(cli={"no_such_setting": "x"}, env=_env(tmp_path))


def test_secrets_stay_out_of_repr(tmp_path):
    s = Settings.resolve(env=_env(tmp_path, HOTLINE_TOKEN="hl_secret_1", HOTLINE_DB_KEY="ab" * 32))
    assert s.token == "hl_secret_1" and "hl_secret_1" not in repr(s) and "abab" not in repr(s)


@pytest.mark.parametrize(
    "text, named",
    [
        ('server = "http://a"\nserver_url = "x"\n', "'server_url'"),  # unknown key
        ('token = "hl_x"\n', "HOTLINE_TOKEN"),  # a secret is not read from the file
        ('policy = "/p.toml"\n', "HOTLINE_POLICY"),  # environment only, for now
        ("role = 3\n", "'role'"),  # wrong type
        ('db = ""\n', "'db'"),  # empty
    ],
)
def test_a_bad_key_is_one_chinese_line_naming_it(tmp_path, text, named):
    path = _write_config(tmp_path, text)
    with pytest.raises(SettingsError) as caught:
        Settings.resolve(env=_env(tmp_path))
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and named in message and "配置文件" in message


def test_a_file_that_is_not_toml_names_the_line(tmp_path):
    _write_config(tmp_path, 'server = "http://a"\nrole = operator\n')
    with pytest.raises(SettingsError, match=r"键 'role'：TOML 格式错误.*line 2"):
        Settings.resolve(env=_env(tmp_path))


def test_secrets_and_test_hooks_have_no_file_key():
    for s in SETTINGS:
        if s.scope == "test" or s.name in ("token", "db_key", "cti_password", "config_dir"):
            assert s.key is None, s.name
    assert set(FILE_KEYS) <= {s.name for s in SETTINGS}  # a file key is the setting's own name


def test_environment_reads_a_setting_by_its_one_spelling():
    from operator_tui.settings import environment

    assert environment("policy", {"HOTLINE_POLICY": "/site/policy.toml"}) == "/site/policy.toml"
    assert environment("policy", {"HOTLINE_POLICY": ""}) is None
    with pytest.raises(KeyError):
        environment("no_such_setting", {})


@pytest.mark.parametrize("argv", [["seat"], ["ticket", "list"]])
def test_a_bad_config_file_stops_both_ways_in_with_one_line(tmp_path, argv, monkeypatch, capsys):
    from operator_tui import launch

    _write_config(tmp_path, "role = operator\n")
    monkeypatch.setenv(ENV["config_dir"], str(tmp_path / "cfg"))
    monkeypatch.setenv(ENV["db"], str(tmp_path / "seat.db"))
    with pytest.raises(SystemExit) as done:
        launch.main(argv)
    err = capsys.readouterr().err.strip()
    assert done.value.code == 2 and "\n" not in err and "键 'role'" in err and "Traceback" not in err


def test_the_config_file_reaches_the_server_commands(tmp_path, monkeypatch, capsys):
    from operator_tui.cli import main as cli_main

    _write_config(tmp_path, f'server_db = "{tmp_path / "from-file.db"}"\n')
    monkeypatch.setenv(ENV["config_dir"], str(tmp_path / "cfg"))
    monkeypatch.delenv(ENV["server_db"], raising=False)
    with pytest.raises(SystemExit) as done:
        cli_main(["server", "token", "list"])
    assert done.value.code == 2 and "from-file.db" in capsys.readouterr().err  # the file's database, not the default
    monkeypatch.setenv(ENV["server_db"], str(tmp_path / "from-env.db"))
    with pytest.raises(SystemExit):
        cli_main(["server", "token", "list"])
    assert "from-env.db" in capsys.readouterr().err  # the environment over the file


def test_both_ways_into_the_seat_read_the_config_file_alike(tmp_path, monkeypatch):
    """The short path (launch) and the typer command give the seat the same options from config.toml,
    and an option on the command line still wins over the file."""
    from operator_tui import launch, seat_start
    from operator_tui.cli import main as cli_main

    _write_config(tmp_path, 'role = "supervisor"\nserver = "http://file:8890"\nca_file = "/file/ca.pem"\n')
    monkeypatch.setenv(ENV["config_dir"], str(tmp_path / "cfg"))
    monkeypatch.setenv(ENV["db"], str(tmp_path / "seat.db"))
    for name in ("server", "role", "ca_file", "token", "token_file"):
        monkeypatch.delenv(ENV[name], raising=False)
    seen = []
    monkeypatch.setattr(seat_start, "run_seat", lambda settings, opts, defer=False: seen.append(opts))
    for way_in in (launch.main, cli_main):
        for argv in (["seat"], ["seat", "--role", "operator"]):
            with pytest.raises(SystemExit):
                way_in(argv)
    from_file, from_option = seen[0], seen[1]
    assert (from_file.role, from_file.server, from_file.ca_file) == ("supervisor", "http://file:8890", "/file/ca.pem")
    assert from_option.role == "operator" and from_option.server == "http://file:8890"
    assert seen[2:] == seen[:2]  # the typer command agrees with the short path
