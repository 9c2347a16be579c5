"""Small text helpers shared by detection and NLU."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lowercase and strip diacritics: "Română" → "romana", "żółć" → "zolc".

    Letters that Unicode does not decompose are mapped by hand (Polish ł, German ß).
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_EXTRA)


_EXTRA = str.maketrans({"ł": "l", "ß": "ss", "ø": "o", "đ": "d"})
