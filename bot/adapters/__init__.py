"""Rasa's extension points that are not channels or NLU components.

``rasa_server`` is ``rasa run`` with our fixes; ``tracker_store`` keeps conversations in our
database and erases them on request; ``lock_store`` shares conversation locks through Redis.
"""
