"""The information desk: when it is open, when to hand a conversation to it, and its cases."""
