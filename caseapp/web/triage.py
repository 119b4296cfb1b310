"""Triage of a request against the framework, and allocation of a lead worker."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("triage", __name__, url_prefix="/hub/episodes")
