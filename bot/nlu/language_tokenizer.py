"""A Rasa tokenizer that detects each message's language and tokenises it for that language.

One NLU model serves five languages. Before tokenising, the message's language is detected
(``bot.i18n.detect``: lingua restricted to our languages, plus Bulgarian in Latin letters) and
written to the parse data as ``language`` (read by the answer action). Tokens then come from
``spacy.blank(<language>)``, which knows each language's punctuation, contractions and
abbreviations ("BSN-nummer", "z'n", "can't"). With ``spacy: false`` a plain word tokenizer is
used instead — the NLU benchmark compares both (see README).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.i18n.detect import detect
from bot.i18n.languages import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from bot.i18n.text import fold

if TYPE_CHECKING:
    from spacy.language import Language

logger = logging.getLogger(__name__)

LANGUAGE = "language"
_WORDS = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]", re.UNICODE)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class LanguageAwareTokenizer(Tokenizer):
    """Detects the language of every message, then tokenises it for that language."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's defaults (see Rasa's Tokenizer for the shared options)."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # Use spaCy's rule-based tokenizer of the detected language.
            "spacy": True,
            # Give featurizers the word without diacritics (as the token's lemma), so
            # "asigurare" and "asigurăre", "zolty" and "żółty" are the same feature.
            "fold_diacritics": True,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Packages Rasa checks for (lingua is checked where ``bot.i18n.detect`` imports it)."""
        return ["spacy"]

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._use_spacy = bool(config.get("spacy", True))
        self._fold = bool(config.get("fold_diacritics", True))
        self._pipelines: dict[str, Language] = {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageAwareTokenizer:
        """Create the component (nothing to load: spaCy pipelines are built on first use)."""
        return cls(config)

    def _blank(self, language: str) -> Language:
        if language not in self._pipelines:
            import spacy

            self._pipelines[language] = spacy.blank(language)
        return self._pipelines[language]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Detect the language of training examples too, so tokens match prediction time."""
        for example in training_data.training_examples:
            if example.get(TEXT) and not example.get(LANGUAGE):
                self._detect(example)
        return super().process_training_data(training_data)

    def process(self, messages: list[Message]) -> list[Message]:
        """Detect the language of each message, then tokenise it."""
        for message in messages:
            if message.get(TEXT):
                self._detect(message)
        return super().process(messages)

    @staticmethod
    def _detect(message: Message) -> None:
        detection = detect(message.get(TEXT))
        if detection is not None:
            message.set(LANGUAGE, detection.as_dict(), add_to_output=True)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Split ``attribute`` of ``message`` into tokens, per its detected language."""
        text = message.get(attribute) or ""
        if attribute != TEXT or not self._use_spacy:
            tokens = self._plain_tokens(text)
        else:
            detected = message.get(LANGUAGE) or {}
            language = detected.get("code") if isinstance(detected, dict) else None
            if language not in SUPPORTED_LANGUAGES:
                language = FALLBACK_LANGUAGE
            doc = self._blank(language).make_doc(text)
            tokens = [Token(t.text, t.idx) for t in doc if not t.is_space and t.text.strip()]
        if self._fold and attribute == TEXT:
            for token in tokens:
                token.lemma = fold(token.text)
        return self._apply_token_pattern(tokens)

    @staticmethod
    def _plain_tokens(text: str) -> list[Token]:
        return [Token(m.group(), m.start()) for m in _WORDS.finditer(text)]
