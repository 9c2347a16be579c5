"""What the messengers accept: declared once, used by the channels and the content check.

The channels cut, split or leave out what does not fit; the content check
(``make content-check``) makes sure the editors' texts fit, so nothing is cut in practice.
Sources: Telegram Bot API (sendMessage, InlineKeyboardButton); WhatsApp Cloud API
(interactive reply buttons and list messages).
"""

from __future__ import annotations

TELEGRAM_TEXT = 4096  # characters of one message
TELEGRAM_CALLBACK_DATA = 64  # bytes of a button's payload (callback data)

WHATSAPP_TEXT = 4096  # characters of a text message
WHATSAPP_BODY = 1024  # characters of an interactive message's body (a message with buttons)
WHATSAPP_BUTTONS = 3  # reply buttons under one message
WHATSAPP_BUTTON_TITLE = 20  # characters of a reply button's title (and a list's button)
WHATSAPP_ROWS = 10  # rows of a list message
WHATSAPP_ROW_TITLE = 24  # characters of a list row's title
WHATSAPP_ROW_DESCRIPTION = 72  # characters of a list row's description
WHATSAPP_ROW_ID = 200  # characters of a list row's id (reply buttons allow 256)

# What every answer must fit, on every messenger we serve.
MESSAGE = min(TELEGRAM_TEXT, WHATSAPP_TEXT)  # one message
MESSAGE_WITH_BUTTONS = min(MESSAGE, WHATSAPP_BODY)  # one message with buttons
BUTTONS = WHATSAPP_BUTTONS  # buttons an answer may add (more go into a WhatsApp list)
BUTTON_TITLE = WHATSAPP_BUTTON_TITLE  # characters of a button's title
PAYLOAD_BYTES = TELEGRAM_CALLBACK_DATA  # bytes of what a button sends back
