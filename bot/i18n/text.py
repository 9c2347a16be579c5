"""Small text helpers shared by detection and NLU."""

from __future__ import annotations

import unicodedata

# Characters of one message that the checks read (the danger and urgency signals): the
# beginning of a very long message is what it is about, and a bound on the text bounds the
# work. The channels give the NLU as much (bot.channels.common.MAX_UNDERSTOOD); the content
# and the help desk do not import the channels, so the number lives here.
MAX_READ = 2000


def fold(text: str) -> str:
    """Lowercase and strip diacritics: "Română" → "romana", "żółć" → "zolc".

    Letters that Unicode does not decompose are mapped by hand (Polish ł, German ß).
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_EXTRA)


_EXTRA = str.maketrans({"ł": "l", "ß": "ss", "ø": "o", "đ": "d"})
