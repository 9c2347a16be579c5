"""Short, frequent words that mark a language, lowercase and also without diacritics.

Used where statistical detection has too little text: "unde pot lua bsn" is three words, but
"unde" and "pot" are unmistakably Romanian.
"""

from __future__ import annotations

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "pl": frozenset(
        """
        jest nie jestem mam moge mogę gdzie czy jak się sie co że ze który ktory bardzo dzien
        dzień dziękuję dziekuje prosze proszę pracuje pracuję pieniadze pieniądze praca pracy
        mieszkanie szef mnie mój moj moja moje jaki jaka gdzie kiedy dlaczego chce chcę trzeba
        musze muszę dostac dostać zrobic zrobić powiedz pomoc pomocy witam cześć czesc mamy
        """.split()
    ),
    "ro": frozenset(
        """
        este sunt nu unde pot am fost sa să care ce cum acest aceasta pentru bani lucrez munca
        muncă casa casă multumesc mulțumesc mersi buna bună ziua vreau trebuie şi și eu mea meu
        mi îmi imi pe cu la de se poate cand când unde cât cat avem lua iau fac ajutor salut
        """.split()
    ),
    "nl": frozenset(
        """
        het een ik niet wat waar hoe mijn geen kan wil moet heb ben zijn met voor van dat krijg
        krijgen hoeveel waarom wanneer graag alsjeblieft bedankt dank hallo goedemorgen
        """.split()
    ),
    "en": frozenset(
        """
        the is are what where how can my not have do does you your please thanks hello i'm get
        when why much need want should could would there this that with
        """.split()
    ),
}

ALL_FUNCTION_WORDS: frozenset[str] = frozenset().union(*FUNCTION_WORDS.values())


def vote(words: list[str]) -> tuple[str, int] | None:
    """The one language whose marker words occur most, with their count; None on a tie."""
    counts = {
        code: sum(1 for w in words if w in markers) for code, markers in FUNCTION_WORDS.items()
    }
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (best, hits), (_, runner_up) = ranked[0], ranked[1]
    if hits == 0 or hits == runner_up:
        return None
    return best, hits
