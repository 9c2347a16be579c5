"""Wegwijs: a multilingual assistant for EU labour migrants in the Netherlands."""
