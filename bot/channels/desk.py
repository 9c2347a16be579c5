"""The desk's console and staff API as a Rasa channel (``/webhooks/desk/``).

Rasa loads it from credentials.yml like any channel; it receives no user messages. It gives
the API (``bot/desk/api.py``) its ``DeskServices``: the stores and content from
``bot.wiring``, the messengers the other channels registered there, and the conversations of
this Rasa server (``bot/adapters/conversations.py``). The editors' view
(``bot/editors/api.py``) is served beside it, with the same sign-in.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from bot import wiring
from bot.adapters.conversations import RasaConversations
from bot.desk import api
from bot.desk.ports import DeskServices
from bot.editors import api as editors


class DeskInput(InputChannel):
    """The staff API as a Rasa channel."""

    @classmethod
    def name(cls) -> str:
        """URL prefix ``/webhooks/desk/``."""
        return "desk"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The API's routes, with the desk's services given to the app at start."""
        desk = api.blueprint()
        editors.add_routes(desk, wiring.editor_store)
        conversations = RasaConversations()

        @functools.lru_cache(maxsize=1)
        def services() -> DeskServices:  # on the first desk request, not at start-up
            return DeskServices(
                cases=wiring.case_store(),
                staff=wiring.staff_store(),
                auth=wiring.authenticator(),
                content=wiring.content_store().get,
                messengers=wiring.messengers(),
                conversations=conversations,
            )

        async def attach(app: Any, loop: Any) -> None:
            conversations.bind(app)
            app.ctx.desk = services

        desk.before_server_start(attach)
        return desk
