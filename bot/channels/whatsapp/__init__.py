"""WhatsApp on Meta's Cloud API: the channel (``bot.channels.whatsapp.WhatsAppInput``).

- ``channel``: the Rasa input and output channels, and the desk's ``Messenger``;
- ``webhook``: the signature check and reading Meta's webhook bodies;
- ``window``: the 24-hour customer-service window (when each user last wrote);
- ``graph``: the Graph API client;
- ``messages``: text, reply buttons and lists within WhatsApp's limits.
"""

from bot.channels.whatsapp.channel import Delivery, WhatsAppInput, WhatsAppOutput
from bot.channels.whatsapp.graph import GraphApi, WhatsAppApiError
from bot.channels.whatsapp.messages import interactive
from bot.channels.whatsapp.webhook import (
    SENDER_PREFIX,
    MalformedWebhook,
    parse_webhook,
    signature_ok,
)
from bot.channels.whatsapp.window import ServiceWindow

__all__ = [
    "SENDER_PREFIX",
    "Delivery",
    "GraphApi",
    "MalformedWebhook",
    "ServiceWindow",
    "WhatsAppApiError",
    "WhatsAppInput",
    "WhatsAppOutput",
    "interactive",
    "parse_webhook",
    "signature_ok",
]
