"""Requests for support: any signed-in person can ask the Early Help Hub for help."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("requests", __name__, url_prefix="/requests")
