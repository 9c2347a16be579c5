"""Languages: which ones we speak, how we recognise them, how we format for them."""

from bot.i18n.languages import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES

__all__ = ["FALLBACK_LANGUAGE", "SUPPORTED_LANGUAGES"]
