"""Rasa custom actions. Thin: the logic lives in ``bot``."""
