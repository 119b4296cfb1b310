"""When a signed-in session has lasted too long, by inactivity or in all."""

from __future__ import annotations


def session_expired(
    now: float,
    signed_in_at: float,
    last_active: float,
    idle_seconds: float,
    absolute_seconds: float,
) -> bool:
    return now - last_active > idle_seconds or now - signed_in_at > absolute_seconds
