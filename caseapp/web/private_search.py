"""Searches by name, date of birth or postcode without putting them in the address.

Names and dates of birth in a URL end up in browser history, in server and proxy logs and
in shared bookmarks. So a search form is posted, its fields are kept in the person's own
session under a short random token, and the address shows only that token (`?s=...`):
paging, the back button and a refresh all work, and nothing personal leaves the session.
"""

from __future__ import annotations

import secrets

from flask import request, session
from werkzeug.datastructures import MultiDict

SESSION_KEY = "private_searches"
TOKEN_ARGUMENT = "s"
# Enough for the back button across a morning's searches; older ones simply start empty.
KEPT_SEARCHES = 8
# Never kept: the form's CSRF token, and which page of results (that is in the address).
NOT_KEPT = frozenset({"csrf_token", "page"})


def remember(fields: MultiDict[str, str]) -> str:
    """Keep the posted search fields in the session; returns the token naming them."""
    token = secrets.token_urlsafe(6)
    kept = [(name, value) for name, value in fields.items(multi=True) if name not in NOT_KEPT]
    searches = [entry for entry in session.get(SESSION_KEY, []) if entry[0] != token]
    session[SESSION_KEY] = [*searches, [token, kept]][-KEPT_SEARCHES:]
    return token


def recall(token: str | None) -> MultiDict[str, str]:
    """The fields of the search `token` names, or none if it is unknown or forgotten."""
    for kept_token, fields in session.get(SESSION_KEY, []):
        if token and secrets.compare_digest(kept_token, token):
            return MultiDict([(name, value) for name, value in fields])
    return MultiDict()


def search_fields() -> tuple[MultiDict[str, str], str | None]:
    """This request's search: the posted form (kept, with its new token), or the kept
    search the address names. Returns the fields and the token for links to use."""
    if request.method == "POST":
        return request.form, remember(request.form)
    token = request.args.get(TOKEN_ARGUMENT)
    fields = recall(token)
    return fields, token if fields else None
