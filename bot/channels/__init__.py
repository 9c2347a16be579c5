"""Rasa input/output channels, one module per messenger."""
