"""What editors learn from the conversations: not understood, "did this help?", the desk."""
