"""Pages and files we serve to browsers (the web chat, the desk's console): our own only."""

from __future__ import annotations

from pathlib import Path

from sanic import response
from sanic.response import HTTPResponse

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def static_file(folder: Path, name: str, types: dict[str, str]) -> HTTPResponse:
    """One of our script or style files (only those listed in ``types``), else 404."""
    if name not in types:
        return response.json({"error": "not_found", "message": "Not found."}, status=404)
    text = (folder / name).read_text(encoding="utf-8")
    return response.text(text, content_type=types[name], headers=SECURITY_HEADERS)
