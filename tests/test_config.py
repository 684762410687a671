"""Config: precedence of the sources, the file format, one-line errors with file/line/key, secrets kept."""

from __future__ import annotations

import io
import os
import re
import ssl
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cuetui
from cuetui import config
from cuetui.cli import build_parser
from cuetui.config import (
    FARM_KEYS,
    STUCK_KEYS,
    STUCK_SERVICE_KEYS,
    TOP_ONLY_KEYS,
    TRIAGE_KEYS,
    ConfigError,
    Secret,
    Settings,
    StuckRule,
    load_settings,
    map_log_path,
    settings_summary,
    validate_gateway_url,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never read the config of whoever runs the tests."""
    absent = tmp_path / "user-config-dir" / "config.toml"
    monkeypatch.setattr(config, "default_config_path", lambda: absent)
    return absent


def write(tmp_path: Path, text: str, name: str = "config.toml", mode: int = 0o600) -> Path:
    path = tmp_path / name
    path.write_text(text)
    path.chmod(mode)
    return path


def load(path: Path | None = None, env: dict[str, str] | None = None, **flags: object) -> Settings:
    cli = dict(flags)
    if path is not None:
        cli["config"] = str(path)
    return load_settings(cli, env=env or {})


def error_of(path: Path | None = None, env: dict[str, str] | None = None, **flags: object) -> str:
    with pytest.raises(ConfigError) as exc:
        load(path, env, **flags)
    message = str(exc.value)
    assert "\n" not in message and message.startswith("config error: ")
    return message


# ---- defaults and sources --------------------------------------------------------------------------


def test_defaults_without_any_config() -> None:
    s = load_settings(None, env={})
    assert s.config_path is None and s.warnings == ()
    assert (s.farm, s.url, s.token, s.secret) == ("default", None, None, None)
    assert (s.refresh, s.frame_refresh, s.token_ttl, s.read_only, s.verify) == (5.0, 2.0, 3600, False, True)
    assert (s.stuck_min_silence, s.stuck_percent_of_runtime) == (600.0, 50.0)
    assert s.user and s.auth_kind == "none"
    assert s.stuck_rule("anything") == StuckRule(600.0, 50.0)


def test_default_path_is_read_when_present(no_user_config: Path) -> None:
    no_user_config.parent.mkdir(parents=True)
    no_user_config.write_text('url = "http://gw:8448"\n')
    s = load_settings({}, env={})
    assert s.url == "http://gw:8448" and s.config_path == no_user_config


def test_explicit_config_must_exist(tmp_path: Path) -> None:
    message = error_of(tmp_path / "nope.toml")
    assert str(tmp_path / "nope.toml") in message and "no such config file" in message


def test_config_that_is_a_directory(tmp_path: Path) -> None:
    assert "is a directory" in error_of(tmp_path)


FILE = """\
url = "http://top:8448"
refresh = 7
shows = ["top"]

[farms.prod]
url = "http://prod:8448/"
read_only = true
users = ["alice"]

[farms.staging]
url = "https://staging"
refresh = 1.5
"""


def test_farm_section_overrides_top_level(tmp_path: Path) -> None:
    s = load(write(tmp_path, FILE))
    assert s.farm == "prod"  # the first section, with no default_farm
    assert s.url == "http://prod:8448"  # trailing slash stripped
    assert (s.refresh, s.shows, s.users, s.read_only) == (7.0, ("top",), ("alice",), True)
    assert s.farms == ("prod", "staging")
    assert "farms.prod.url" in s.sources["url"] and "line 6" in s.sources["url"]


def test_farm_choice_precedence(tmp_path: Path) -> None:
    path = write(tmp_path, 'default_farm = "staging"\n' + FILE)
    assert load(path).farm == "staging"
    assert load(path, env={"CUETUI_FARM": "prod"}).farm == "prod"
    assert load(path, env={"CUETUI_FARM": "prod"}, farm="staging").farm == "staging"
    assert load(path, farm="staging").refresh == 1.5


def test_unknown_farm_is_an_error_naming_the_farms(tmp_path: Path) -> None:
    path = write(tmp_path, FILE)
    message = error_of(path, farm="qa")
    assert '"qa"' in message and "prod, staging" in message and str(path) in message
    message = error_of(path, env={"CUETUI_FARM": "prd"})
    assert "CUETUI_FARM" in message and message.endswith("did you mean prod?")


def test_unknown_default_farm_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'default_farm = "gone"\n' + FILE)
    assert f"{path} line 1:" in error_of(path)


def test_farm_without_any_config_file(no_user_config: Path) -> None:
    message = error_of(None, farm="prod")
    assert "no config file at" in message and str(no_user_config) in message


def test_environment_overrides_file_and_flags_override_environment(tmp_path: Path) -> None:
    path = write(tmp_path, FILE)
    env = {"OPENCUE_REST_GATEWAY_URL": "http://env:1"}
    s = load(path, env=env)
    assert s.url == "http://env:1" and s.sources["url"] == "env OPENCUE_REST_GATEWAY_URL"
    assert any("overrides farms.prod.url" in w for w in s.warnings)
    s = load(path, env=env, url="http://flag:2", refresh=0.5, read_only=True, user=["bob"], show=["s1", "s2"])
    assert (s.url, s.refresh, s.read_only, s.users, s.shows) == ("http://flag:2", 0.5, True, ("bob",), ("s1", "s2"))


def test_cli_namespace_from_the_real_parser(tmp_path: Path) -> None:
    path = write(tmp_path, FILE)
    args = build_parser().parse_args(
        ["--config", str(path), "--farm", "staging", "--refresh", "3", "--show", "a", "--user", "u", "tui"]
    )
    s = load_settings(args, env={})
    assert (s.farm, s.refresh, s.shows, s.users, s.read_only) == ("staging", 3.0, ("a",), ("u",), False)


@pytest.mark.parametrize("refresh", [0, -1, float("nan"), float("inf")])
def test_bad_refresh_flag(refresh: float) -> None:
    assert "--refresh must be a positive number" in error_of(refresh=refresh)


def test_empty_environment_variables_are_unset() -> None:
    s = load(env={"OPENCUE_REST_GATEWAY_URL": "", "JWT_SECRET": " ", "CUETUI_FARM": ""})
    assert s.url is None and s.secret is None and s.farm == "default"


def test_require_url_says_where_to_set_it() -> None:
    with pytest.raises(ConfigError, match=r"--url.*OPENCUE_REST_GATEWAY_URL"):
        load().require_url()
    assert load(url="http://gw").require_url() == "http://gw"


# ---- the example file ------------------------------------------------------------------------------


def test_example_loads_without_warnings() -> None:
    s = load(EXAMPLE)
    assert s.warnings == ()
    assert s.farms == ("prod", "staging") and s.farm == "prod"
    s = load(EXAMPLE, farm="staging", env={"JWT_SECRET": "x"})
    assert s.warnings == () and s.url == "https://gateway.staging.example"


def test_example_documents_every_key() -> None:
    text = EXAMPLE.read_text()
    documented = set(re.findall(r"^#?\s*([a-z_]+)\s*=", text, re.M))
    for header in re.findall(r"^\[([a-z_.]+)\]", text, re.M):
        documented |= set(header.split("."))
    documented |= set(re.findall(r"^#?\s*\w+ = \{ ([a-z_]+) = .*, ([a-z_]+) = ", text, re.M)[0])
    for key in (*FARM_KEYS, *TOP_ONLY_KEYS, *STUCK_KEYS, *STUCK_SERVICE_KEYS, *TRIAGE_KEYS):
        assert key in documented, key


# ---- errors: one line, file, line number, key --------------------------------------------------------


def test_wrong_type_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[farms.prod]\nurl = "http://gw:8448"\n\n\nrefresh = "fast"\n')
    assert error_of(path) == f'config error: {path} line 5: farms.prod.refresh must be a number, got "fast"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("read_only = 1\n", "line 1: read_only must be true or false, got 1"),
        ("refresh = true\n", "refresh must be a number, got true"),
        ("refresh = -2\n", "refresh must be a positive number of seconds, got -2"),
        ('shows = "testing"\n', 'shows must be a list of non-empty strings, e.g. shows = ["testing"]'),
        ("token_ttl = 10\n", "token_ttl must be at least 60 seconds"),
        ("token_ttl = 3600.5\n", "token_ttl must be a whole number of seconds"),
        ('log_path_map = [["/a"]]\n', "log_path_map must be a list of [from, to] prefix pairs"),
        ("farms = 3\n", "farms must be a table"),
        ('[farms]\nprod = "x"\n', "line 2: farms.prod must be a table"),
        ('[keymap]\n"job.kill" = 3\n', 'line 2: keymap."job.kill" must be a key or a list of keys'),
        ("[stuck]\npercent_of_runtime = 150\n", "stuck.percent_of_runtime must be a percentage"),
        ('[stuck.services]\nsim = { min_silence = "x" }\n', "line 2: stuck.services.sim.min_silence must"),
        ('theme = ""\n', "theme must not be empty"),
        ('user = ["a"]\n', "user must be a string, got a list"),
        ('token = "a"\ntoken_file = "b"\n', "line 2: token_file and token are both set; keep one"),
    ],
)
def test_bad_values(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    message = error_of(path)
    assert expected in message and str(path) in message


def test_syntax_error_names_line_key_and_hint(tmp_path: Path) -> None:
    path = write(tmp_path, '[farms.prod]\nurl = "http://gw"\nrefresh = fast\n')
    message = error_of(path)
    assert message.startswith(f"config error: {path} line 3: farms.prod.refresh: TOML syntax error: invalid")
    assert 'strings need quotes: refresh = "…"' in message


def test_syntax_error_at_end_of_document(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, 'a = 1\n[farms.x]\nurl = "http://a"\nurl = "http://b"\n'))
    assert "line 4: farms.x.url is set twice" in message
    message = error_of(write(tmp_path, 'a = 1\nurl = "http://a\nb = 2\n'))
    assert "line 2: url: TOML syntax error: unterminated string" in message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'a = 1\nb = "\xff"\n')
    assert f"{path} line 2: not UTF-8" in error_of(path)


def test_unknown_keys_are_warnings_with_line_and_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, '[farms.prod]\nurl = "http://gw"\nrefrsh = 3\nbell = true\n[stuck]\nfoo = 1\n')
    s = load(path)
    assert f"{path} line 3: unknown key farms.prod.refrsh (did you mean refresh?); ignored" in s.warnings
    assert any("line 4: farms.prod.bell is only read at the top" in w for w in s.warnings)
    assert any("line 6: unknown key stuck.foo" in w for w in s.warnings)
    assert s.refresh == 5.0 and s.bell is False


def test_key_lines_survive_quoted_keys_inline_tables_and_multiline_strings(tmp_path: Path) -> None:
    text = (
        'theme = """\nrefresh = "not a key"\n"""\n'
        "[keymap]\n'job.kill' = \"K\"\n"
        "[stuck]\nservices = { sim = { min_silence = -1 } }\n"
    )
    message = error_of(write(tmp_path, text))
    assert "line 7: stuck.services.sim.min_silence" in message  # reported at the inline table's line


# ---- URLs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("http://gw:8448", "http://gw:8448"),
        ("http://gw:8448/", "http://gw:8448"),
        ("HTTPS://gw.example", "https://gw.example"),
        ("  http://[::1]:8448  ", "http://[::1]:8448"),
    ],
)
def test_good_urls(url: str, normalized: str) -> None:
    assert validate_gateway_url(url) == normalized


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("gw:8448", "must start with http:// or https://, e.g. http://gw:8448"),
        ("ftp://gw", "not ftp://"),
        ("http://gw:8448/api", "must not have a path (/api)"),
        ("http://", "has no host name"),
        ("http://gw:99999", "has a bad port"),
        ("http://gw?x=1", "query"),
        ("", "must not be empty"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_gateway_url(url)


def test_bad_url_from_each_source(tmp_path: Path) -> None:
    path = write(tmp_path, 'x = 1\nurl = "gw:8448"\n')
    assert f"{path} line 2: url must start with http://" in error_of(path)
    assert "env OPENCUE_REST_GATEWAY_URL must not have a path" in error_of(
        env={"OPENCUE_REST_GATEWAY_URL": "http://gw/x"}
    )
    assert "--url must start with http://" in error_of(url="gw")


def test_url_with_a_password_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError) as exc:
        validate_gateway_url("http://me:hunter2@gw")
    assert "hunter2" not in str(exc.value) and "user name or password" in str(exc.value)


def test_loki_url_may_have_a_path(tmp_path: Path) -> None:
    assert load(write(tmp_path, 'loki_url = "http://proxy/loki/"\n')).loki_url == "http://proxy/loki"


# ---- secrets ------------------------------------------------------------------------------------


def test_secret_wrapper_hides_its_value() -> None:
    s = Secret("hunter2")
    assert repr(s) == str(s) == f"{s}" == f"{s!r}" == "***" and "hunter2" not in repr([s])
    assert s.reveal() == "hunter2" and s == Secret("hunter2") and s != Secret("x") and bool(s)


def test_secret_file_and_token_file(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    write(tmp_path / "keys", "  s3cret\n", name="prod.secret")
    write(tmp_path / "keys", "tok.en.value\n", name="prod.token")
    path = write(tmp_path, '[farms.prod]\nsecret_file = "keys/prod.secret"\ntoken_file = "keys/prod.token"\n')
    s = load(path)
    assert s.secret is not None and s.secret.reveal() == "s3cret"
    assert s.token is not None and s.token.reveal() == "tok.en.value"
    assert s.secret_file == tmp_path / "keys" / "prod.secret" and s.auth_kind == "minted"
    assert s.warnings == ()


@pytest.mark.parametrize(
    ("content", "expected"), [(None, "does not exist"), ("", "names an empty file"), (b"\xff", "not UTF-8")]
)
def test_bad_secret_file(tmp_path: Path, content: str | bytes | None, expected: str) -> None:
    if isinstance(content, bytes):
        (tmp_path / "s").write_bytes(content)
    elif content is not None:
        write(tmp_path, content, name="s")
    path = write(tmp_path, 'x = 0\nsecret_file = "s"\n')
    message = error_of(path)
    assert f"{path} line 2: secret_file names" in message and expected in message


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_readable_secrets_warn_like_ssh(tmp_path: Path) -> None:
    secret_file = write(tmp_path, "s3cret\n", name="prod.secret", mode=0o644)
    path = write(tmp_path, 'secret_file = "prod.secret"\n', mode=0o644)
    s = load(path)
    # The config file itself holds no secret, so only the secret file is reported.
    assert s.warnings == (
        f"{secret_file} holds a JWT secret or token and is readable by others (mode 0644); chmod 600 {secret_file}",
    )
    path = write(tmp_path, 'secret = "s3cret"\n', mode=0o640)
    assert any(f"chmod 600 {path}" in w for w in load(path).warnings)
    path.chmod(0o600)
    assert load(path).warnings == ()


def test_credential_precedence(tmp_path: Path) -> None:
    path = write(tmp_path, 'secret = "file-secret"\n[farms.prod]\ntoken = "farm.token.x"\n')
    s = load(path)
    assert s.auth_kind == "fixed"  # the farm's token beats the top-level secret
    assert s.secret is not None  # ... but `cuetui token` can still mint from the secret
    assert load(path, env={"JWT_SECRET": "e"}).auth_kind == "minted"
    s = load(path, env={"JWT_SECRET": "e", "JWT_TOKEN": "a.b.c"})
    assert s.auth_kind == "minted" and s.sources["token"] == "env JWT_TOKEN"  # a tie goes to the secret
    assert s.token is not None and s.token.reveal() == "a.b.c"


PLANTED = "PLANTED-s3cret-9d1e7c"


@pytest.mark.parametrize(
    "text",
    [
        f"secret = {PLANTED}\n",  # syntax error on the secret's line
        f'secret = "{PLANTED}\n',  # unterminated string
        f'secret = "{PLANTED}"\nrefresh = "fast"\n',
        f'token = "{PLANTED}"\ntoken_file = "x"\n',
        "secret = 987654321987\n",
        'token = ["987654321987"]\n',
        f'url = "http://u:{PLANTED}@gw"\n',
        f'[farms.prod]\nsecret = "{PLANTED}"\nurl = "gw"\n',
        f'[farms.prod]\nsecret = "{PLANTED}"\n[farms.prod]\n',
    ],
)
def test_planted_secret_never_in_errors(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text, mode=0o644)
    message = error_of(path)
    assert PLANTED not in message and "987654321987" not in message
    # Nor in the traceback as Textual renders an uncaught one: with every frame's local variables.
    with pytest.raises(ConfigError) as exc:
        load(path, env={"JWT_SECRET": PLANTED, "JWT_TOKEN": PLANTED})
    rendered = traceback_with_locals(exc.value)
    assert "ConfigError" in rendered and PLANTED not in rendered and "987654321987" not in rendered


def traceback_with_locals(exc: BaseException) -> str:
    from rich.console import Console
    from rich.traceback import Traceback

    # From the first frame of cuetui's own code on: the test's own locals hold the secret. The package is
    # found where it was really imported from, never by a folder name (a clone may itself be named cuetui).
    package = Path(cuetui.__file__).resolve().parent
    tb = exc.__traceback__
    while tb is not None and not Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(package):
        tb = tb.tb_next
    assert tb is not None, f"no frame of the cuetui package ({package}) in the traceback"
    console = Console(file=io.StringIO(), width=300, color_system=None)
    console.print(Traceback.from_exception(type(exc), exc, tb, show_locals=True, locals_max_string=10_000, width=300))
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_planted_secret_never_in_settings_warnings_or_summary(tmp_path: Path) -> None:
    write(tmp_path, PLANTED, name="tok", mode=0o644)
    path = write(
        tmp_path,
        f'secret = "{PLANTED}"\nsecreet = "{PLANTED}"\n[farms.prod]\nurl = "https://gw"\n'
        f'verify = false\ntoken_file = "tok"\n[farms.qa]\ntoken = "{PLANTED}"\nbogus = 1\n',
        mode=0o666,
    )
    env = {"JWT_SECRET": PLANTED, "JWT_TOKEN": PLANTED}
    for s in (load(path), load(path, env=env), load(path, farm="qa")):
        assert len(s.warnings) >= 3
        channels = [repr(s), str(s), *s.warnings, *map(str, settings_summary(s)), *s.sources.values()]
        for channel in channels:
            assert PLANTED not in channel
    summary = dict(settings_summary(load(path, env=env)))
    assert summary["secret"] == "set (from env JWT_SECRET)" and summary["token"] == "set (from env JWT_TOKEN)"
    assert summary["auth"].startswith("token minted from the secret")


# ---- the rest of the format -------------------------------------------------------------------------


def test_keymap_stuck_and_misc(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'bell = true\ntheme = "nord"\nuser = "wrangler"\ntoken_ttl = 600\n'
        'log_path_map = [["/shots/", "/Volumes/shots"], ["/", "/mnt/farm"]]\n'
        '[keymap]\n"job.kill" = "ctrl+k"\n"frame.retry" = ["R", "f8"]\n'
        '[stuck]\nmin_silence = 300\nexclude_jobs = ["sim_"]\n'
        "[stuck.services]\nsimulation = { percent_of_runtime = 80 }\n",
    )
    s = load(path)
    assert (s.bell, s.theme, s.user, s.token_ttl) == (True, "nord", "wrangler", 600)
    assert dict(s.keymap) == {"job.kill": "ctrl+k", "frame.retry": "R,f8"}
    assert s.stuck_rule() == StuckRule(300.0, 50.0) and s.stuck_exclude_jobs == ("sim_",)
    assert s.stuck_rule("simulation") == StuckRule(300.0, 80.0)
    assert map_log_path("/shots/a/b.log", s.log_path_map) == "/Volumes/shots/a/b.log"
    assert map_log_path("/shots2/a.log", s.log_path_map) == "/mnt/farm/shots2/a.log"
    assert map_log_path("rel/a.log", s.log_path_map) == "rel/a.log"


def test_tls_settings(tmp_path: Path) -> None:
    import certifi

    write(tmp_path, Path(certifi.where()).read_text(), name="ca.pem")
    s = load(write(tmp_path, 'url = "https://gw"\nca_bundle = "ca.pem"\n'))
    assert s.ca_bundle == tmp_path / "ca.pem" and isinstance(s.tls_verify(), ssl.SSLContext)
    assert load(write(tmp_path, 'url = "https://gw"\n')).tls_verify() is True
    s = load(write(tmp_path, 'url = "https://gw"\nverify = false\nca_bundle = "missing.pem"\n'))
    assert s.tls_verify() is False
    assert any("NOT verified" in w for w in s.warnings)
    assert any("ca_bundle is ignored" in w for w in s.warnings)
    path = write(tmp_path, 'url = "https://gw"\n\nca_bundle = "missing.pem"\n')
    assert f"{path} line 3: ca_bundle names a file that does not exist" in error_of(path)


# ---- robustness: whatever the file holds, the answer is Settings or one ConfigError ---------------------

_values = st.recursive(
    st.one_of(st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda children: st.lists(children, max_size=3),
    max_leaves=5,
)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return '"' + "".join(c if c.isalnum() or c in " ./:-_" else f"\\u{ord(c):04x}" for c in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    top=st.dictionaries(st.sampled_from([*FARM_KEYS, "bell", "theme", "default_farm", "zzz"]), _values, max_size=4),
    farm=st.dictionaries(st.sampled_from([*FARM_KEYS, "theme"]), _values, max_size=4),
)
def test_any_values_give_settings_or_one_config_error(
    tmp_path: Path, top: dict[str, object], farm: dict[str, object]
) -> None:
    text = "".join(f"{k} = {_toml(v)}\n" for k, v in top.items())
    text += "[farms.prod]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in farm.items())
    path = write(tmp_path, text)
    try:
        load(path)
    except ConfigError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_any_text_gives_settings_or_one_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(text.encode("utf-8", "replace"))
    try:
        load(path)
    except ConfigError as exc:
        assert "\n" not in str(exc)


@given(st.text(max_size=40))
def test_url_validation_never_crashes(url: str) -> None:
    try:
        out = validate_gateway_url(url)
    except ValueError:
        return
    assert out.startswith(("http://", "https://")) and not out.endswith("/")


_GOOD_LINES = {
    "url": 'url = "http://gw:8448"',
    "shows": 'shows = ["a", "b"]',
    "users": 'users = [\n  "x",\n  "y",\n]',  # a multi-line value shifts the lines after it
    "refresh": "refresh = 3",
    "read_only": "read_only = true",
    "verify": "verify = true",
    "notes": 'notes = """\nrefresh = "inside a string"\n"""',  # an unknown key holding a decoy
    "keymap": '"quoted.key" = 1',
}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    order=st.permutations(list(_GOOD_LINES)),
    bad_at=st.integers(min_value=0, max_value=len(_GOOD_LINES)),
    comments=st.lists(st.booleans(), min_size=len(_GOOD_LINES), max_size=len(_GOOD_LINES)),
)
def test_error_line_is_the_bad_keys_line(tmp_path: Path, order: list[str], bad_at: int, comments: list[bool]) -> None:
    chunks = ["[farms.prod]"]
    for key, comment in zip(order, comments, strict=True):
        chunks.append(_GOOD_LINES[key].replace("refresh = 3", "frame_refresh = 3"))
        if comment:
            chunks.append("# refresh = 1  (a comment)")
    chunks.insert(bad_at + 1, 'refresh = "fast"')
    text = "\n".join(chunks) + "\n"
    expected_line = text.splitlines().index('refresh = "fast"') + 1
    path = write(tmp_path, text)
    assert error_of(path) == (
        f'config error: {path} line {expected_line}: farms.prod.refresh must be a number, got "fast"'
    )


def test_a_url_with_a_newline_is_named_on_one_line() -> None:
    """Found by the property test above in CI: the scheme hint echoed the value's newline raw."""
    from cuetui.config.checks import validate_gateway_url

    with pytest.raises(ValueError) as caught:
        validate_gateway_url("0\n0")
    assert "\n" not in str(caught.value) and "0\\n0" in str(caught.value)
