"""What a message says: abusive-language lint and the content facts of COMPLIANCE.md §2.6-§2.7.

The lint's patterns are data (`domain/data/lint_ptbr.toml`, with positive and negative examples
the unit tests check). Text is normalised first: case-folded, accents removed, leetspeak folded
inside words, runs of one letter folded to one, whitespace collapsed; the excerpt reported is the
original text the match came from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from cobrador_desktop.domain.data_files import data_table
from cobrador_desktop.domain.errors import InvalidAmount
from cobrador_desktop.domain.money import parse_brl
from cobrador_desktop.domain.text import fold, strip_accents

BLOCK, WARN = "block", "warn"
#: categories a free-text hit of which the owner alone may override with a written justification
OVERRIDABLE = ("LINT_THREAT", "LINT_EXPOSURE", "LINT_INSULT", "LINT_FALSE_LEGAL")
#: category only checked in free text (owner-approved templates may say it, when true)
FREE_TEXT_ONLY = ("LINT_LEGAL_CONSEQUENCE",)
#: LINT_SHOUTING: share of upper-case letters, among at least this many letters
SHOUT_SHARE, SHOUT_MIN_LETTERS = 0.7, 12

_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
_WORD = re.compile(r"[\w@$]+")
_SPACE = re.compile(r"\s")
#: words shouting ignores: acronyms of payment data, and codes (anything with a digit)
_SHOUT_IGNORED = re.compile(r"\b(?:PIX|CPF|CNPJ|CEP|R\$|PDF|QR|\w*\d\w*)(?!\w)")
_EXCLAIMS = re.compile(r"!\s*!\s*!")
_AMOUNT = re.compile(r"R\$\s*-?\s*\d[\d.,\u00a0 ]*\d|R\$\s*\d", re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d./\-\s]*\d")
#: words that tell a message is about a debt (the identity check must avoid all of them)
_DEBT_WORDS = re.compile(
    r"\b(?:dividas?|debitos?|atrasos?|atrasad[oa]s?|cobrancas?|pendencias?|pendentes?|parcelas?"
    r"|vencimentos?|vencid[oa]s?|vence|boletos?|saldo|devendo|deve|devedor[a]?|pagamento|pix)\b"
    r"|r\$\s*\d")
#: the words that name each kind of charge beyond the original value (COMPLIANCE.md §2.6)
ITEM_WORDS: dict[str, tuple[str, ...]] = {
    "fine": ("multa",),
    "interest": ("juros", "mora"),
    "correction": ("correcao", "atualizacao monetaria"),
    "fees": ("taxa", "tarifa", "encargo"),
    "costs": ("custas", "despesa"),
    "lawyer_fees": ("honorario",),
}


@dataclass(frozen=True)
class LintHit:
    """A category found in a text: its code, severity and the original words that matched."""

    code: str
    severity: str
    excerpt: str


@dataclass(frozen=True)
class _Rule:
    category: str
    pattern: re.Pattern[str]
    positive: tuple[str, ...]
    negative: tuple[str, ...]


def normalize(text: str) -> str:
    """The text as the lint sees it (`"CALOTEEEIRO  c4l0t3ir0"` -> `"caloteiro caloteiro"`)."""
    return _normalize_mapped(text)[0]


def lint(text: str, *, free_text: bool) -> list[LintHit]:
    """Every category the text falls in, one hit each, in the order of COMPLIANCE.md §2.7.

    Args:
        text: the message as the debtor will read it.
        free_text: True for an operator's free text; False for an approved template's text,
            which is not checked for legal consequences (the owner approved its wording).
    """
    normalized, origin = _normalize_mapped(text)
    hits: list[LintHit] = []
    seen: set[str] = set()
    for rule in rules():
        if rule.category in seen or (not free_text and rule.category in FREE_TEXT_ONLY):
            continue
        match = rule.pattern.search(normalized)
        if match is None or match.end() == match.start():
            continue
        seen.add(rule.category)
        excerpt = text[origin[match.start()]:origin[match.end() - 1] + 1]
        hits.append(LintHit(rule.category, severities()[rule.category], excerpt))
    order = {code: n for n, code in enumerate(severities())}
    hits.sort(key=lambda h: order[h.code])
    if is_shouting(text):
        hits.append(LintHit("LINT_SHOUTING", WARN, ""))
    return hits


def is_shouting(text: str) -> bool:
    """At least 70 % upper-case letters among at least 12 (acronyms and codes aside), or `!!!`."""
    if _EXCLAIMS.search(text):
        return True
    letters = [c for c in _SHOUT_IGNORED.sub(" ", text) if c.isalpha()]
    if len(letters) < SHOUT_MIN_LETTERS:
        return False
    return sum(c.isupper() for c in letters) >= SHOUT_SHARE * len(letters)


def reveals_debt(text: str) -> bool:
    """Whether a text speaks of a debt: words like dívida, parcela, boleto, or an amount."""
    return _DEBT_WORDS.search(fold(text)) is not None


def amounts_in(text: str) -> list[int]:
    """Every `R$` amount written in the text, in centavos."""
    found = []
    for match in _AMOUNT.finditer(text):
        try:
            found.append(parse_brl(match.group(0).replace("\u00a0", " ").strip()))
        except InvalidAmount:
            continue
    return found


def identifies_supplier(text: str, names: Iterable[str], document: str) -> bool:
    """Whether the text names the shop (any of `names`) and shows its CNPJ/CPF digits."""
    folded = fold(text)
    digits = re.sub(r"\D", "", document)
    named = any(fold(name) and fold(name) in folded for name in names)
    shown = bool(digits) and any(re.sub(r"\D", "", m.group(0)) == digits
                                 for m in _NUMBER.finditer(text))
    return named and shown


def missing_items(text: str, charges: Mapping[str, int]) -> list[str]:
    """The kinds of charge (`fine`, `interest`…) with a positive amount the text does not name."""
    folded = normalize(text)
    missing = []
    for kind, cents in charges.items():
        if cents <= 0:
            continue
        words = ITEM_WORDS.get(kind, (kind,))
        if not any(re.search(r"\b" + _fold_pattern(w), folded) for w in words):
            missing.append(kind)
    return missing


@cache
def rules() -> tuple[_Rule, ...]:
    """The lint's rules from the data file, patterns compiled on normalised text."""
    return tuple(
        _Rule(row["category"], re.compile(_fold_pattern(row["pattern"])),
              tuple(row.get("positive", ())), tuple(row.get("negative", ())))
        for row in _data()["rule"])


@cache
def severities() -> dict[str, str]:
    """Category -> `block` or `warn`, in the file's (and COMPLIANCE.md's) order."""
    return {str(k): str(v) for k, v in _data()["severity"].items()}


@cache
def _data() -> dict[str, Any]:
    return data_table("lint_ptbr.toml")


def _normalize_mapped(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of the original one.

    Runs for every message the guard judges (twice: when planned and when sent), so each
    distinct character is decomposed and case-folded once (`_folded_char`) and the passes below
    work on plain lists.
    """
    chars: list[str] = []
    origin: list[int] = []
    memo = _FOLDED
    for index, char in enumerate(text):
        folded = memo.get(char)
        if folded is None:
            folded = memo[char] = _folded_char(char)
        if len(folded) == 1:
            chars.append(folded)
            origin.append(index)
        else:
            for part in folded:
                chars.append(part)
                origin.append(index)
    joined = "".join(chars)
    for word in _WORD.finditer(joined):  # leetspeak only inside words that have a letter
        token = word.group(0)
        if any(c.isalpha() for c in token) and any(c in _LEET for c in token):
            for offset, c in enumerate(token):
                chars[word.start() + offset] = _LEET.get(c, c)
    out: list[str] = []
    out_origin: list[int] = []
    last = ""
    for char, index in zip(chars, origin, strict=True):
        if char.isspace():  # what `\s` matches, one character at a time
            char = " "
            if not out or last == " ":
                continue
        elif char == last and char.isalpha():
            continue  # a run of one letter counts once
        out.append(char)
        out_origin.append(index)
        last = char
    while out and out[-1] == " ":
        out.pop()
        out_origin.pop()
    return "".join(out), out_origin


#: each character as `_normalize_mapped` sees it, worked out once
_FOLDED: dict[str, str] = {}


def _folded_char(char: str) -> str:
    """One character decomposed (NFKD), without its combining marks, case-folded."""
    return "".join(part.casefold() for part in unicodedata.normalize("NFKD", char)
                   if not unicodedata.combining(part))


def _fold_pattern(pattern: str) -> str:
    """A pattern folded like the text (accents, runs of one letter), escapes left alone."""
    stripped = strip_accents(pattern)
    out: list[str] = []
    escaped = False
    previous = ""
    for char in stripped:
        if escaped:
            out.append(char)
            escaped, previous = False, ""
            continue
        if char == "\\":
            out.append(char)
            escaped, previous = True, ""
            continue
        if char.isalpha() and char == previous:
            continue
        out.append(char)
        previous = char if char.isalpha() else ""
    return "".join(out)
