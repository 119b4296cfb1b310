"""Settings from the environment."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from caseapp.config import ConfigError, database_url_from_env, settings_from_env


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "SECRET_KEY", "CASEAPP_ENV", "CASEAPP_FRAMEWORK"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", "sqlite:///{instance}/caseapp.sqlite3"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, given: str, expected: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url_from_env(tmp_path) == expected.format(instance=tmp_path)


def test_development_generates_a_secret_once(tmp_path: Path) -> None:
    first = settings_from_env(tmp_path)["SECRET_KEY"]
    second = settings_from_env(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CASEAPP_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        settings_from_env(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32"):
        settings_from_env(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    settings = settings_from_env(tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()


def test_framework_defaults_to_staffordshire(tmp_path: Path) -> None:
    assert settings_from_env(tmp_path)["CASEAPP_FRAMEWORK"] == "staffordshire"


def test_deadlines_are_configurable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CASEAPP_HUB_DECISION_WORKING_DAYS", "3")
    monkeypatch.setenv("CASEAPP_WORKING_DAY_ENDS", "16:30")
    deadlines = settings_from_env(tmp_path)["CASEAPP_DEADLINES"]
    assert deadlines.hub_decision_working_days == 3
    assert deadlines.working_day_ends == time(16, 30)
    assert deadlines.eha_working_days == 15


def test_retention_period_is_configurable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert settings_from_env(tmp_path)["CASEAPP_RETENTION_YEARS"] == 6
    monkeypatch.setenv("CASEAPP_RETENTION_YEARS", "7")
    assert settings_from_env(tmp_path)["CASEAPP_RETENTION_YEARS"] == 7


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CASEAPP_EHA_WORKING_DAYS", "fifteen", "whole number"),
        ("CASEAPP_TAF_REVIEW_WEEKS", "-1", "negative"),
        ("CASEAPP_WORKING_DAY_ENDS", "5pm", "time such as"),
        ("CASEAPP_ENV", "staging", "development' or 'production"),
    ],
)
def test_bad_settings_are_explained(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        settings_from_env(tmp_path)
