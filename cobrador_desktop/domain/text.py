"""Text helpers shared by search, sorting and matching."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """The text without its accents, case kept: "São João" -> "Sao Joao" (compatibility forms
    decomposed too: "ﬁ" -> "fi")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower case, accents removed, whitespace collapsed: "  JOÃO  da Silva" -> "joao da silva"."""
    return _SPACES.sub(" ", strip_accents(text).casefold()).strip()


def fold_words(text: str, memo: dict[str, str]) -> str:
    """`fold(text)`, folding each distinct word once: `memo` keeps the folded words between calls
    (an import's 100,000 names are made of a few thousand words)."""
    out = []
    for word in text.split():
        folded = memo.get(word)
        if folded is None:
            # an ASCII word has nothing to decompose, strip or collapse: it only loses case
            folded = memo[word] = word.lower() if word.isascii() else fold(word)
        if folded:  # a word may fold to nothing (a lone accent)
            out.append(folded)
    return " ".join(out)
