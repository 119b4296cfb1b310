"""Drafts of protected forms, and the keep-alive behind "Stay signed in".

Every `<form data-draft-key="...">` is protected without code of its own: each HTML
response gets the key as a hidden `draft_key` field in the form, so every post names
its form (autosave, a post after the session ended); a page opened by someone with a
draft of one of its forms comes back with their fields filled in and a notice saying so.
That is done here on the HTML, so it also works without JavaScript.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from html.parser import HTMLParser

from flask import Blueprint, Response, flash, jsonify, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from caseapp.domain.working_days import UK_TIME
from caseapp.models import Draft
from caseapp.models.types import utcnow
from caseapp.services.drafts import (
    DRAFT_KEY_FIELD,
    DraftRejected,
    discard_draft_now,
    drafts_for,
    save_draft,
    valid_draft_key,
)
from caseapp.web.access import local_path, signed_in
from caseapp.web.formatting import uk_time
from caseapp.web.sessions import page_in_browser

bp = Blueprint("drafts", __name__)

# The discard form names its draft with this field, not DRAFT_KEY_FIELD: a discard posted
# after the session ended must not be kept as the draft it was throwing away.
DISCARD_KEY_FIELD = "form_key"
SAVED_STATUS = "Draft saved at {time}"
# Keys are checked again with valid_draft_key before use.
_DRAFT_KEY_ATTRIBUTE = re.compile(r'data-draft-key="([^"]*)"')


# --- the routes -----------------------------------------------------------------------------


@bp.post("/drafts/save")
@signed_in
def save() -> ResponseReturnValue:
    form_key = request.form.get(DRAFT_KEY_FIELD, "")
    if not valid_draft_key(form_key):
        return jsonify(message="Not saved: this form cannot keep a draft."), 400
    try:
        draft = save_draft(current_user.id, form_key, request.form.items(multi=True))
    except DraftRejected:
        return jsonify(
            message="Not saved as a draft: this form is too long. Save the form to keep it."
        ), 413
    return jsonify(message=SAVED_STATUS.format(time=uk_time(draft.saved_at)))


@bp.post("/drafts/discard")
@signed_in
def discard() -> ResponseReturnValue:
    form_key = request.form.get(DISCARD_KEY_FIELD, "")
    if valid_draft_key(form_key):
        discard_draft_now(current_user.id, form_key)
    return_to = local_path(request.form.get("return_to", ""))
    if return_to is None:
        # The page's script, after the form it belongs to was saved: nothing to show.
        return Response(status=204)
    flash("The draft was discarded.", "success")
    return redirect(return_to)


@bp.post("/session/keep-alive")
@signed_in
def keep_alive() -> ResponseReturnValue:
    # Reaching here renewed the session: web/sessions.py records every signed-in request.
    return Response(status=204)


# --- every HTML response ----------------------------------------------------------------------


@bp.after_app_request
def keep_drafts_with_their_forms(response: Response) -> Response:
    if request.endpoint == "static" or response.direct_passthrough or response.is_streamed:
        return response
    if request.method == "POST":
        _end_draft_of_accepted_form(response)
    if response.mimetype != "text/html" or response.status_code != 200:
        return response
    page = response.get_data(as_text=True)
    if "data-draft-key" not in page:
        return response
    restoring = request.method == "GET" and current_user.is_authenticated
    drafts = drafts_for(current_user.id, _draft_keys(page)) if restoring else {}
    filler = DraftFiller({key: draft.fields for key, draft in drafts.items()}, _notices(drafts))
    response.set_data(filler.fill(page))
    return response


def _end_draft_of_accepted_form(response: Response) -> None:
    """A form is accepted the way every form here says so: it redirects with a success
    message (Post/Redirect/Get). Forms saved by htmx end their drafts through the
    discard_draft hook in their save service, and from the page's script."""
    form_key = request.form.get(DRAFT_KEY_FIELD, "")
    accepted = response.status_code in (302, 303) and any(
        category == "success" for category, _ in session.get("_flashes", [])
    )
    if accepted and current_user.is_authenticated and valid_draft_key(form_key):
        discard_draft_now(current_user.id, form_key)


def _draft_keys(page: str) -> set[str]:
    return {key for key in _DRAFT_KEY_ATTRIBUTE.findall(page) if valid_draft_key(key)}


def _notices(drafts: dict[str, Draft]) -> dict[str, str]:
    return {key: _restored_notice(key, draft.saved_at) for key, draft in drafts.items()}


def _when(saved_at: datetime) -> str:
    local = saved_at.astimezone(UK_TIME)
    today = utcnow().astimezone(UK_TIME).date()
    if local.date() == today:
        return f"at {uk_time(local)} today"
    year = f" {local.year}" if local.year != today.year else ""
    return f"at {uk_time(local)} on {local.day} {local:%B}{year}"


def _restored_notice(form_key: str, saved_at: datetime) -> str:
    """Above the form, in a form of its own: a button inside the protected form would be
    the one Enter presses."""
    return (
        '<div class="govuk-inset-text app-draft-notice" data-draft-notice>'
        f'<p class="govuk-body">We restored what you typed {escape(_when(saved_at))}.</p>'
        f'<form method="post" action="{escape(url_for("drafts.discard"))}" novalidate '
        f'data-draft-discard="{escape(form_key)}">'
        f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
        f'<input type="hidden" name="{DISCARD_KEY_FIELD}" value="{escape(form_key)}">'
        f'<input type="hidden" name="return_to" value="{escape(page_in_browser())}">'
        '<button type="submit" class="govuk-button govuk-button--secondary '
        'govuk-!-margin-bottom-0" data-module="govuk-button">Discard draft</button>'
        "</form></div>"
    )


# --- filling forms in HTML ------------------------------------------------------------------

# Inputs whose values a draft never holds or restores.
_NOT_RESTORED_TYPES = frozenset({"password", "file", "submit", "button", "image", "reset"})
_NOT_RESTORED_NAMES = frozenset({"csrf_token", DRAFT_KEY_FIELD})


class DraftFiller(HTMLParser):
    """Copies an HTML page, giving each protected form its hidden key field and, where a
    draft is given for the form, the draft's values and a notice before it. Everything
    else passes through as it came."""

    def __init__(self, drafts: dict[str, dict[str, list[str]]], notices: dict[str, str]) -> None:
        super().__init__(convert_charrefs=False)
        self._drafts = drafts
        self._notices = notices
        self._out: list[str] = []
        # The draft of the protected form being copied, when there is one.
        self._values: dict[str, list[str]] | None = None
        self._placed: dict[str, int] = {}
        self._select_values: list[str] | None = None
        self._skipping_textarea = False

    def fill(self, page: str) -> str:
        self.feed(page)
        self.close()
        return "".join(self._out)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        raw = self.get_starttag_text() or _tag(tag, dict(attrs), self_closing)
        found = dict(attrs)
        if tag == "form":
            self._open_form(raw, found.get("data-draft-key") or "")
        elif self._values is None:
            self._out.append(raw)
        elif tag == "input":
            self._out.append(self._filled_input(raw, found, self_closing))
        elif tag == "textarea":
            self._open_textarea(raw, found)
        elif tag == "select":
            self._select_values = self._values.get(found.get("name") or "")
            self._out.append(raw)
        elif tag == "option" and self._select_values is not None and "value" in found:
            found.pop("selected", None)
            if found["value"] in self._select_values:
                found["selected"] = None
            self._out.append(_tag(tag, found, self_closing))
        else:
            self._out.append(raw)

    def _open_form(self, raw: str, form_key: str) -> None:
        if not valid_draft_key(form_key):
            self._out.append(raw)
            return
        self._values = self._drafts.get(form_key)
        self._placed = {}
        self._out.append(self._notices.get(form_key, ""))
        self._out.append(raw)
        self._out.append(
            f'<input type="hidden" name="{DRAFT_KEY_FIELD}" value="{escape(form_key)}">'
        )

    def _filled_input(self, raw: str, attrs: dict[str, str | None], self_closing: bool) -> str:
        assert self._values is not None
        name = attrs.get("name") or ""
        kind = (attrs.get("type") or "text").lower()
        if not name or name in _NOT_RESTORED_NAMES or kind in _NOT_RESTORED_TYPES:
            return raw
        if kind in ("checkbox", "radio"):
            # A browser posts only what is ticked, so a name missing from the draft
            # means nothing was ticked.
            attrs.pop("checked", None)
            if (attrs.get("value") or "on") in self._values.get(name, []):
                attrs["checked"] = None
            return _tag("input", attrs, self_closing)
        value = self._next_value(name)
        if value is None:
            return raw
        attrs["value"] = value
        return _tag("input", attrs, self_closing)

    def _next_value(self, name: str) -> str | None:
        # Inputs sharing a name (rare, but legal) take the draft's values in page order.
        assert self._values is not None
        values = self._values.get(name)
        index = self._placed.get(name, 0)
        if values is None or index >= len(values):
            return None
        self._placed[name] = index + 1
        return values[index]

    def _open_textarea(self, raw: str, attrs: dict[str, str | None]) -> None:
        self._out.append(raw)
        value = self._next_value(attrs.get("name") or "")
        if value is None:
            return
        # A browser drops one newline straight after <textarea>: keep a leading one.
        self._out.append(("\n" if value.startswith("\n") else "") + escape(value))
        self._skipping_textarea = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._skipping_textarea = False
        elif tag == "select":
            self._select_values = None
        elif tag == "form":
            self._values = None
        self._out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self._skipping_textarea:
            self._out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self._out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self._out.append(f"<![{data}]>")


def _tag(tag: str, attrs: dict[str, str | None], self_closing: bool) -> str:
    written = "".join(
        f" {name}" if value is None else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
    )
    return f"<{tag}{written}{' /' if self_closing else ''}>"
