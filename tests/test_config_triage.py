"""The [triage] table and the notifications key: read, checked, and errors pointing at file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuetui.config import ConfigError, Settings, load_settings


def _load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return load_settings({"config": str(path)}, env={})


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, text)
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_defaults(tmp_path: Path) -> None:
    s = _load(tmp_path, "")
    assert s.triage_patterns == () and s.notifications == "all"


def test_patterns_and_notifications_are_read(tmp_path: Path) -> None:
    s = _load(tmp_path, 'notifications = "dead"\n[triage]\npatterns = [[\'asset_v\\d+\', "<asset>"]]\n')
    assert s.triage_patterns == (("asset_v\\d+", "<asset>"),)
    assert s.notifications == "dead"
    assert "line 3" in s.sources["triage_patterns"]


def test_a_bad_pattern_names_file_line_and_key(tmp_path: Path) -> None:
    message = _error(tmp_path, '# triage\n\n[triage]\npatterns = [["(unclosed", "<x>"]]\n')
    assert message.startswith(f"config error: {tmp_path / 'config.toml'} line 4: triage.patterns holds ")
    assert "not a valid regular expression" in message


def test_patterns_must_be_pairs(tmp_path: Path) -> None:
    message = _error(tmp_path, '[triage]\npatterns = ["just a string"]\n')
    assert "line 2: triage.patterns must be a list of [regex, placeholder] pairs" in message


def test_bad_notifications_value(tmp_path: Path) -> None:
    message = _error(tmp_path, 'notifications = "some"\n')
    assert 'line 1: notifications must be one of "all", "dead", "off", got "some"' in message


def test_unknown_triage_key_warns(tmp_path: Path) -> None:
    s = _load(tmp_path, "[triage]\npattern = []\n")
    assert any("unknown key triage.pattern (did you mean patterns?)" in w for w in s.warnings)
