"""Debtor search, the pure part: what text a debtor is found by, and how a query is read.

Every debtor carries one *search text*, kept by the storage layer: the folded name, the CPF/CNPJ
digits, each own phone's digits in both Brazilian forms (with and without the 9th digit) and the
folded descriptions of their debts. A query is folded the same way and split into terms; a debtor
matches when every term is a substring of their search text. Substrings of at least
`MIN_INDEXED` characters are what a trigram index (SQLite FTS5 `trigram`, PostgreSQL `pg_trgm`)
can find, so shorter terms only narrow the matches of longer ones, and a query made only of short
terms falls back to a prefix of the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from cobrador_desktop.domain.phone import wa_id_for
from cobrador_desktop.domain.text import fold

#: the shortest substring a trigram index can look up
MIN_INDEXED = 3
#: descriptions beyond this many characters of search text are left out (a debtor with hundreds
#: of instalments of the same purchase gains nothing from each one)
MAX_DESCRIPTIONS_CHARS = 2000

_LETTERS = re.compile(r"[^\W\d_]")
#: what people type around numbers: "529.982.247-25", "+55 (11) 98765-4321", "12.345.678/0001-95"
_NUMBER_PUNCTUATION = re.compile(r"[\s.\-/()+]")
_NON_DIGITS = re.compile(r"\D")
_DIGIT = re.compile(r"\d")
_DOCUMENT_PUNCTUATION = re.compile(r"[./\-]")
CNPJ_LENGTH = 14


def phone_forms(e164: str) -> tuple[str, ...]:
    """The digit strings a phone is found by: `+5511987654321` -> `5511987654321`, `551187654321`.

    The second form is the mobile without (or, stored without, with) its 9th digit, so
    `8765-4321`, `(11) 8765-4321` and `11 98765-4321` all find it. Any query made of a number's
    last digits, with or without +55 and the DDD, is a substring of one of these.
    """
    digits = e164[1:] if e164.startswith("+") and e164[1:].isdigit() else wa_id_for(e164)
    if not digits:
        return ()
    if digits.startswith("55"):
        # a core starting 2-5 is a landline: it has no other form (see `domain.phone`)
        if len(digits) == 13 and digits[4] == "9" and digits[5] not in "2345":
            return (digits, digits[:4] + digits[5:])
        if len(digits) == 12 and digits[4] not in "2345":
            return (digits, digits[:4] + "9" + digits[4:])
    return (digits,)


#: descriptions repeat a lot ("Mensalidade escolar – março/2026", the shop's product names), and
#: folding is the slowest step of a full refresh
_fold_description = lru_cache(maxsize=16_384)(fold)


def build_search_text(name_key: str, document: str | None, phones: Iterable[str],
                      descriptions: Iterable[str]) -> str:
    """The text a debtor is found by (see the module docstring).

    Args:
        name_key: the folded name (`Debtor.name_key`).
        document: CPF/CNPJ without punctuation, or None.
        phones: the debtor's own phones, E.164.
        descriptions: the descriptions of the debtor's debts (any status).
    """
    parts = [name_key]
    if document:
        parts.append(document.lower())
    for e164 in phones:
        parts.extend(phone_forms(e164))
    seen: set[str] = set()
    used = 0
    for description in descriptions:
        folded = _fold_description(description)
        if not folded or folded in seen:
            continue
        if used + len(folded) > MAX_DESCRIPTIONS_CHARS:
            break
        seen.add(folded)
        used += len(folded) + 1
        parts.append(folded)
    return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class SearchQuery:
    """A query as the database runs it.

    Attributes:
        terms: every term a match must contain (folded; digits only for a number).
        name_prefix: when no term is long enough for the index, the folded query to match at the
            start of the name instead; "" otherwise.
    """

    terms: tuple[str, ...]
    name_prefix: str = ""

    @property
    def indexed_terms(self) -> tuple[str, ...]:
        """The terms a trigram index can look up."""
        return tuple(t for t in self.terms if len(t) >= MIN_INDEXED)

    @property
    def short_terms(self) -> tuple[str, ...]:
        """The terms too short for the index (they filter the indexed matches)."""
        return tuple(t for t in self.terms if len(t) < MIN_INDEXED)

    @property
    def is_empty(self) -> bool:
        """True when the query asks for nothing (the whole list)."""
        return not self.terms


def parse_query(text: str) -> SearchQuery:
    """Read what the user typed in the search box.

    A query without letters is one number whatever its punctuation or spaces
    (`(11) 98765-4321` -> `11987654321`, `529.982.247-25` -> `52998224725`); otherwise it is folded
    and split on spaces, and each word must match. Numbers inside a query with letters
    ("geladeira 2/10") are words like any other.
    """
    folded = fold(text)
    if not folded:
        return SearchQuery(())
    if not _LETTERS.search(folded) and _NUMBER_PUNCTUATION.sub("", folded).isdigit():
        digits = _NON_DIGITS.sub("", folded)
        terms: tuple[str, ...] = (digits,)
    else:
        terms = tuple(dict.fromkeys(_word(w) for w in folded.split(" ")))
    if not any(len(t) >= MIN_INDEXED for t in terms):
        return SearchQuery(terms, name_prefix=folded)
    return SearchQuery(terms)


def _word(word: str) -> str:
    """A word as searched: a punctuated alphanumeric CNPJ (`12.abc.345/01de-35`) loses its
    punctuation, as the stored document has none; any other word stays as typed."""
    bare = _DOCUMENT_PUNCTUATION.sub("", word)
    if bare != word and len(bare) == CNPJ_LENGTH and bare.isalnum() and _DIGIT.search(bare):
        return bare
    return word


def fts5_phrase(term: str) -> str:
    """One term as an FTS5 phrase (quoted, so operators and punctuation are plain text)."""
    return '"' + term.replace('"', '""') + '"'


def like_pattern(term: str, *, prefix: bool = False) -> str:
    r"""`%term%` (or `term%`) for LIKE with `\` as the escape character."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if prefix else f"%{escaped}%"
