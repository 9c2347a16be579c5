"""Answers and interface texts from ``locales/``: loading, validation, rendering, hot reload."""
