"""What the desk needs from the rest of the system, as small interfaces (ports).

The staff API (``bot/desk/api.py``) reaches users only through a ``Messenger`` per channel and
reads or resumes conversations only through ``Conversations``. The channels implement
``Messenger`` (``bot/channels/``: Telegram and WhatsApp send at once, the web chat queues the
message for its page); ``bot/adapters/conversations.py`` implements ``Conversations`` on
Rasa's tracker store. ``DeskServices`` bundles what one running desk uses, so the API is tested
in process against fakes (``tests/unit/test_desk_api.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.content.model import Content
from bot.desk.auth import Authenticator
from bot.desk.staff import StaffStore
from bot.desk.store import CaseStore

DeliveryStatus = Literal["sent", "queued", "failed"]


@dataclass(frozen=True)
class Delivery:
    """What became of a message to a user.

    Attributes:
        status: ``sent`` (handed to the messenger), ``queued`` (the user's page fetches it) or
            ``failed``.
        problem: why it failed, for the staff (no personal data).

    """

    status: DeliveryStatus
    problem: str | None = None


@dataclass(frozen=True)
class ReplyWindow:
    """Whether a free-form reply can reach the user now.

    Attributes:
        open: a reply reaches the user (WhatsApp: within 24 hours of their last message).
        template: when closed, an approved template message is sent instead.

    """

    open: bool = True
    template: bool = False


@dataclass(frozen=True)
class Turn:
    """One message of a conversation, as the staff read it."""

    at: float
    speaker: Literal["user", "bot"]
    text: str


class Messenger(Protocol):
    """Sends the desk's messages to the users of one channel."""

    async def deliver(self, conversation_id: str, text: str, language: str) -> Delivery:
        """Send ``text`` to the conversation's user; never raises for a refused message."""

    async def reply_window(self, conversation_id: str) -> ReplyWindow:
        """Whether a reply can reach the user now."""


class Conversations(Protocol):
    """The conversations the assistant holds (Rasa's tracker store behind it)."""

    async def transcript(self, conversation_id: str) -> list[Turn]:
        """What the user and the bot said, oldest first (empty when the conversation is gone)."""

    async def resume(self, conversation_id: str) -> None:
        """Give the conversation back to the bot (the pause of the handoff ends)."""


@dataclass
class DeskServices:
    """What one running desk uses: its stores, the content, and the ports above.

    Attributes:
        cases: the cases and their messages.
        staff: the staff accounts and their API tokens.
        auth: passwords, sign-in limits and console sessions.
        content: the current content (answers and ready-made replies).
        messengers: a ``Messenger`` per channel name; a case of another channel cannot be
            answered ("failed").
        conversations: the conversations.

    """

    cases: CaseStore
    staff: StaffStore
    auth: Authenticator
    content: Callable[[], Content]
    messengers: Mapping[str, Messenger]
    conversations: Conversations
