"""Rasa's Redis lock store on ``WEGWIJS_REDIS_URL``, for several Rasa servers side by side.

One Rasa server keeps its conversation locks in memory. With two or more servers behind one
address (issue 9's scale-out), the messages of one conversation may reach different servers
at the same time; the Redis lock store makes them wait for each other, so a conversation's
turns stay whole and in order. ``make run`` enables it when ``WEGWIJS_REDIS_URL`` is set; the
URL (with any password) stays in the environment, never in a Rasa file.
"""

from __future__ import annotations

from urllib.parse import urlparse

from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.settings import Settings

KEY_PREFIX = "wegwijs"


class RedisUrlLockStore(RedisLockStore):
    """Rasa's RedisLockStore, configured from one URL (``redis://:password@host:6379/0``)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        url = urlparse(Settings.from_env().redis_url or "redis://127.0.0.1:6379/0")
        super().__init__(
            host=url.hostname or "127.0.0.1",
            port=url.port or 6379,
            db=int(url.path.lstrip("/") or 0),
            password=url.password,
            use_ssl=url.scheme == "rediss",
            key_prefix=KEY_PREFIX,
        )
