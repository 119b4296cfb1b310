"""The family page, its timeline, and family search."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("families", __name__, url_prefix="/families")
