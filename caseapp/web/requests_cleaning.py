"""Incoming form fields and query parameters without invisible control characters.

A NUL byte cannot be stored in PostgreSQL text and other control characters only hide or
garble what staff read, so every value is cleaned once, where the request is parsed, and
no form or query can forget to do it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from htmx_flask.requests import HtmxAwareRequest
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

# C0 controls and DEL, except tab, line feed and carriage return which text areas use.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_controls(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list | tuple):
        return type(value)(without_controls(item) for item in value)
    return value


class CleanMultiDict(ImmutableMultiDict):  # type: ignore[type-arg]
    def __init__(self, mapping: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None):
        if isinstance(mapping, MultiDict):
            pairs: Iterable[tuple[str, Any]] = mapping.items(multi=True)
        elif isinstance(mapping, Mapping):
            pairs = mapping.items()
        else:
            pairs = mapping or ()
        super().__init__([(without_controls(key), without_controls(value)) for key, value in pairs])


class CleanRequest(HtmxAwareRequest):
    parameter_storage_class = CleanMultiDict
