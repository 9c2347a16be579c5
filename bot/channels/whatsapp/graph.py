"""The Graph API client: messages, templates, read receipts; refusals raise with the code."""

from __future__ import annotations

from typing import Any

import httpx

from bot.settings import WhatsAppSettings


class WhatsAppApiError(Exception):
    """The Graph API refused a request; ``code`` is Meta's error code (e.g. 131047)."""

    def __init__(self, code: int | None, message: str, status: int) -> None:
        super().__init__(f"WhatsApp API error {code} (HTTP {status}): {message}")
        self.code, self.status = code, status


class GraphApi:
    """The Cloud API's messages endpoint."""

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """One HTTP client per process (created inside the server's event loop)."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(10.0),
                headers={"Authorization": f"Bearer {self.settings.access_token}"},
            )
        return self._client

    async def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST one message; raises WhatsAppApiError with Meta's error code on failure."""
        url = f"{self.settings.api_url}/{self.settings.phone_number_id}/messages"
        reply = await self.client.post(url, json={"messaging_product": "whatsapp", **payload})
        try:
            data = reply.json()
        except ValueError:
            data = {}
        if reply.status_code >= 400 or "error" in data:
            error = data.get("error") if isinstance(data.get("error"), dict) else {}
            raise WhatsAppApiError(
                error.get("code"),
                str(error.get("message") or reply.reason_phrase),
                reply.status_code,
            )
        return data if isinstance(data, dict) else {}

    async def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
