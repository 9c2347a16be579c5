"""Rasa's REST channel for the operator's own tools, off unless ``WEGWIJS_REST_CHANNEL=on``.

Rasa's own REST channel (``rest`` in credentials.yml) takes any ``sender`` and any
``input_channel`` from whoever calls it: a caller could write into a Telegram or WhatsApp
user's conversation, erase it, or open a desk case that texts a phone number. This one keeps
Rasa's URL and reply (``POST /webhooks/rest/webhook {"sender": "rest-…", "message": "…"}`` →
the bot's messages) with the web chat's rules: only ids of its own, ``rest-`` and 1–64
letters, digits, ``-`` or ``_`` (400 for any other); its input channel is always ``rest``; the
same length limits and trimming, the same notice when no reply comes. Anyone who reaches the
port can use it: enable it only where only your own tools do (docs/deploy.md).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import wiring
from bot.channels.webchat import FetchedMessenger, answer

REST_ID = re.compile(r"^rest-[A-Za-z0-9_-]{1,64}$")


class RestInput(InputChannel):
    """The REST channel (``bot.channels.rest.RestInput``, added by ``make run`` when enabled)."""

    @classmethod
    def name(cls) -> str:
        """The channel's name, and its URL prefix ``/webhooks/rest/``."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """A health check and the message endpoint."""
        rest = Blueprint("rest_channel", __name__)
        wiring.messengers()[self.name()] = FetchedMessenger()  # as before: nothing is pushed

        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def receive(request: Request) -> HTTPResponse:
            return await answer(request, on_new_message, self.name(), REST_ID)

        rest.add_route(health, "/", methods=["GET"])
        rest.add_route(receive, "/webhook", methods=["POST"])
        return rest
