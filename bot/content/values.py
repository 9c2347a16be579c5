"""Checks of single values that the content files and ``desk.yml`` share: links and ids."""

from __future__ import annotations

import re
from urllib.parse import urlparse

ID = re.compile(r"^[a-z][a-z0-9_]*$")  # answer ids, ready-made reply ids


def is_https_url(value: object) -> bool:
    """True for a well-formed https link to a named host."""
    if not isinstance(value, str) or any(ch.isspace() for ch in value):
        return False
    parsed = urlparse(value)
    return parsed.scheme == "https" and "." in parsed.netloc and not parsed.netloc.endswith(".")
