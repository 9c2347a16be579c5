"""The desk's ``Conversations`` port on Rasa: transcripts and resuming, through the agent.

Rasa keeps the conversations (its tracker store, behind its lock store); this is the one place
outside the channels that reaches into them. It is bound to the Sanic app when the server
starts, since Rasa's agent lives there (``app.ctx.agent``).
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed, UserUttered

from bot.desk.ports import Turn


class RasaConversations:
    """``bot.desk.ports.Conversations`` on the agent of a running Rasa server."""

    def __init__(self) -> None:
        self._app: Any = None

    def bind(self, app: Any) -> None:
        """Use the agent of this Sanic app (called when the server starts)."""
        self._app = app

    @property
    def _agent(self) -> Any:
        if self._app is None:
            raise RuntimeError("RasaConversations used before the server started")
        return self._app.ctx.agent

    async def transcript(self, conversation_id: str) -> list[Turn]:
        """What the user and the bot said, oldest first."""
        tracker = await self._agent.tracker_store.retrieve_full_tracker(conversation_id)
        turns: list[Turn] = []
        for event in tracker.events if tracker else []:
            if isinstance(event, UserUttered) and event.text:
                turns.append(Turn(event.timestamp, "user", event.text))
            elif isinstance(event, BotUttered) and event.text:
                turns.append(Turn(event.timestamp, "bot", event.text))
        return turns

    async def resume(self, conversation_id: str) -> None:
        """End the pause: Rasa answers the conversation's next message again."""
        agent = self._agent
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.tracker_store.retrieve(conversation_id)
            if tracker is not None:
                tracker.update(ConversationResumed())
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))  # the next message: a new turn
                await agent.tracker_store.save(tracker)
