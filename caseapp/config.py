"""Settings read from the environment, with safe defaults for local development."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


@dataclass(frozen=True)
class DeadlineSettings:
    """Deadline lengths from DESIGN.md; every council tunes these, so none is hard-coded."""

    hub_decision_working_days: int = 2
    # Not in DESIGN.md: how long a decided request may wait for a lead worker.
    allocation_working_days: int = 3
    step_up_decision_working_days: int = 1
    eha_working_days: int = 15
    first_taf_weeks: int = 6
    taf_review_weeks: int = 6
    disagreement_working_days: int = 5
    # A family with no management oversight recorded for this many days is listed for
    # its manager.
    oversight_days: int = 90
    # Requests arriving after this local time count as received on the next working day,
    # so a 5pm Friday referral does not eat into the Hub's two days.
    working_day_ends: time = time(17, 0)


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _time_env(name: str, default: time) -> time:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return time.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a time such as 17:00, not {raw!r}") from exc


def deadline_settings_from_env() -> DeadlineSettings:
    defaults = DeadlineSettings()
    return DeadlineSettings(
        hub_decision_working_days=_int_env(
            "CASEAPP_HUB_DECISION_WORKING_DAYS", defaults.hub_decision_working_days
        ),
        allocation_working_days=_int_env(
            "CASEAPP_ALLOCATION_WORKING_DAYS", defaults.allocation_working_days
        ),
        step_up_decision_working_days=_int_env(
            "CASEAPP_STEP_UP_DECISION_WORKING_DAYS", defaults.step_up_decision_working_days
        ),
        eha_working_days=_int_env("CASEAPP_EHA_WORKING_DAYS", defaults.eha_working_days),
        first_taf_weeks=_int_env("CASEAPP_FIRST_TAF_WEEKS", defaults.first_taf_weeks),
        taf_review_weeks=_int_env("CASEAPP_TAF_REVIEW_WEEKS", defaults.taf_review_weeks),
        disagreement_working_days=_int_env(
            "CASEAPP_DISAGREEMENT_WORKING_DAYS", defaults.disagreement_working_days
        ),
        oversight_days=_int_env("CASEAPP_OVERSIGHT_DAYS", defaults.oversight_days),
        working_day_ends=_time_env("CASEAPP_WORKING_DAY_ENDS", defaults.working_day_ends),
    )


def database_url_from_env(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'caseapp.sqlite3'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secret(instance_path: Path) -> str:
    """Generate the key once so sessions survive restarts of the development server."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def settings_from_env(instance_path: Path) -> dict[str, Any]:
    environment = os.environ.get("CASEAPP_ENV", "development").strip().lower()
    if environment not in {"development", "production"}:
        raise ConfigError("CASEAPP_ENV must be 'development' or 'production'")
    production = environment == "production"
    secret_key = os.environ.get("SECRET_KEY", "").strip()
    if not secret_key:
        if production:
            raise ConfigError("SECRET_KEY must be set when CASEAPP_ENV is production")
        secret_key = _development_secret(instance_path)
    elif production and len(secret_key) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")
    return {
        "CASEAPP_ENV": environment,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url_from_env(instance_path),
        "CASEAPP_FRAMEWORK": os.environ.get("CASEAPP_FRAMEWORK", "staffordshire").strip(),
        # A council may keep its own framework files outside the package.
        "CASEAPP_FRAMEWORK_DIR": os.environ.get("CASEAPP_FRAMEWORK_DIR", "").strip() or None,
        "CASEAPP_DEADLINES": deadline_settings_from_env(),
        "CASEAPP_PAGE_SIZE": _int_env("CASEAPP_PAGE_SIZE", 25),
        "CASEAPP_RETENTION_YEARS": _int_env("CASEAPP_RETENTION_YEARS", 6),
        # scrypt is deliberately slow; the test suite swaps in a cheap method.
        "PASSWORD_HASH_METHOD": "scrypt",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": _int_env("CASEAPP_SESSION_HOURS", 9) * 3600,
        "CASEAPP_SESSION_IDLE_MINUTES": _int_env("CASEAPP_SESSION_IDLE_MINUTES", 30),
        "RATELIMIT_STORAGE_URI": os.environ.get("CASEAPP_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "CASEAPP_SIGN_IN_LIMIT_PER_ADDRESS": os.environ.get(
            "CASEAPP_SIGN_IN_LIMIT_PER_ADDRESS", "30 per minute"
        ),
        "CASEAPP_SIGN_IN_FAILURES_PER_ACCOUNT": os.environ.get(
            "CASEAPP_SIGN_IN_FAILURES_PER_ACCOUNT", "5 per 15 minutes"
        ),
        # hide_parameters: a database error's message leaves out the values it was sent,
        # which are personal data, so logging it leaks nothing.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    }
