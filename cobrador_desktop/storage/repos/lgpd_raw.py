"""The raw webhook bodies forget an anonymised person too.

Every verified webhook POST is kept raw (`webhook_deliveries`, commit before 200) for inspection.
Those bodies hold the person's number, WhatsApp name, BSUID and the words they wrote, so
anonymising a person (COMPLIANCE.md §4.3) must reach them as well. A delivery may carry several
people's events (Meta batches them): only the parts about this person go; the rest of the body,
and the parsed rows other people's screens read, stay as they were.

A part is "about the person" when one of its identifying keys (`from`, `wa_id`, `recipient_id`,
`user_id`, …) holds one of their identifiers; such a part keeps only `id`, `timestamp`, `type` and
`status` (delivery statistics) and is marked `"anonimizado": true`. Any other string that still
contains one of the identifiers has it replaced. A body that is not JSON (kept because it could
not be understood) and names the person is emptied.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.phone import e164_candidates_for_wa_id, wa_id_for
from cobrador_desktop.storage.orm import WebhookDelivery

#: keys whose value names who a part of the body is about
_IDENTIFYING_KEYS = frozenset({
    "from", "wa_id", "recipient_id", "user_id", "from_user_id", "recipient_user_id",
    "parent_user_id", "input", "to"})
#: what an anonymised part keeps: enough for delivery statistics, nothing about who
_KEPT_KEYS = ("id", "timestamp", "type", "status")
#: what replaces an identifier inside any other text
_MASK = "anonimizado"
#: the problem noted on a raw body that had to be emptied
EMPTIED = "corpo apagado na anonimização do titular"
#: deliveries rewritten per query (their bodies are read into memory)
_BATCH = 200


def person_identifiers(numbers: Iterable[str], others: Iterable[str | None] = ()) -> frozenset[str]:
    """The strings that identify a person in Meta's bodies.

    Args:
        numbers: their E.164 numbers (`+5511987654321`).
        others: further ids Meta gave them (`wa_id`, BSUID); None is skipped.

    Returns:
        Each number's digits in both Brazilian mobile forms (with and without the 9th digit,
        as Meta may write either), and the other ids.
    """
    found: set[str] = set()
    for number in numbers:
        digits = wa_id_for(number)
        if not digits:
            continue
        found.update(wa_id_for(candidate) for candidate in e164_candidates_for_wa_id(digits))
    found.update(value for value in others if value)
    # a very short id would match inside unrelated numbers and ids
    return frozenset(value for value in found if len(value) >= 8)


def scrub_deliveries(session: Session, identifiers: frozenset[str]) -> int:
    """Remove a person from every raw webhook body that names them.

    Args:
        session: the anonymisation's session (one transaction with the rest of it).
        identifiers: from `person_identifiers`.

    Returns:
        How many stored bodies changed.
    """
    if not identifiers:
        return 0
    mentions = or_(*(_contains(session, value.encode()) for value in sorted(identifiers)))
    changed = 0
    after = 0
    while True:
        batch = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.id > after, mentions)
            .order_by(WebhookDelivery.id).limit(_BATCH)).all()
        if not batch:
            return changed
        after = batch[-1].id
        changed += sum(_scrub_one(delivery, identifiers) for delivery in batch)


def _contains(session: Session, needle: bytes) -> ColumnElement[bool]:
    """Whether the raw body holds these bytes: SQLite's `instr` searches a blob byte by byte (its
    LIKE does not match blobs); PostgreSQL has `bytea LIKE bytea`."""
    if session.get_bind().dialect.name == "sqlite":
        return func.instr(WebhookDelivery.body, needle) > 0
    return WebhookDelivery.body.op("LIKE", is_comparison=True)(b"%" + needle + b"%")


def _scrub_one(delivery: WebhookDelivery, identifiers: frozenset[str]) -> bool:
    body = bytes(delivery.body)
    try:
        document = json.loads(body)
    except ValueError:  # kept because it could not be understood: nothing of it may stay
        delivery.body = b""
        delivery.problem = EMPTIED
        return True
    cleaned = _clean(document, identifiers)
    text = json.dumps(cleaned, ensure_ascii=False, separators=(",", ":")).encode()
    if text == body:
        return False
    delivery.body = text
    return True


def _about_person(part: dict[str, Any], identifiers: frozenset[str]) -> bool:
    return any(key in _IDENTIFYING_KEYS and isinstance(value, str | int)
               and str(value) in identifiers for key, value in part.items())


def _clean(node: Any, identifiers: frozenset[str]) -> Any:
    if isinstance(node, dict):
        if _about_person(node, identifiers):
            kept = {key: node[key] for key in _KEPT_KEYS
                    if key in node and isinstance(node[key], str | int)}
            return {**kept, _MASK: True}
        return {key: _clean(value, identifiers) for key, value in node.items()}
    if isinstance(node, list):
        return [_clean(value, identifiers) for value in node]
    if isinstance(node, str):
        for value in identifiers:
            if value in node:
                node = node.replace(value, _MASK)
        return node
    if isinstance(node, int) and not isinstance(node, bool) and str(node) in identifiers:
        return _MASK  # Meta has sent numbers as JSON integers (numbers_as_ints.json)
    return node
