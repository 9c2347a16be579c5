"""Personal data: deleting a conversation on request, and deleting old ones (retention)."""
