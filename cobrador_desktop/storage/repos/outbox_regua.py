"""The outbox's re-check of the régua's rows with complete facts (COMPLIANCE.md §2.1).

A row the régua queued has a `regua_sends` row pointing at it: at send time it is judged again
on everything `send_facts.gather` knows (opt-out, wrong party, the debt paid or under agreement,
a promise, the caps, the reply waiting…), as when it was planned. Other rows keep the outbox's
own facts (`outbox._facts`: the person flags and the 24-hour window).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.policy import SendFacts
from cobrador_desktop.storage.orm import ReguaSend
from cobrador_desktop.storage.repos.import_write import in_chunks
from cobrador_desktop.storage.repos.send_facts import FactsTarget, gather


class ReguaFacts(NamedTuple):
    """A régua row's step and the complete facts to judge it on."""

    step: str
    facts: SendFacts


def regua_facts(session: Session, rows: Iterable[Any], *, now: datetime,
                shop_zone: str) -> dict[int, ReguaFacts]:
    """Complete facts for the outbox rows the régua queued, by outbox id.

    Args:
        rows: claimed rows with `id` (the outbox row), `debtor_id` and `phone_id` (of its
            conversation).
    """
    by_id = {r.id: r for r in rows}
    steps: dict[int, Any] = {}
    for chunk in in_chunks(by_id):
        for sent in session.execute(
                select(ReguaSend.outbox_id, ReguaSend.debtor_id, ReguaSend.debt_id,
                       ReguaSend.step, ReguaSend.template)
                .where(ReguaSend.outbox_id.in_(chunk))):
            steps[sent.outbox_id] = sent
    if not steps:
        return {}
    ids = list(steps)
    targets = [FactsTarget(debtor_id=by_id[i].debtor_id or steps[i].debtor_id,
                           phone_id=by_id[i].phone_id, debt_id=steps[i].debt_id,
                           step=steps[i].step, template=steps[i].template) for i in ids]
    facts = gather(session, targets, now=now, shop_zone=shop_zone, exclude_outbox_ids=ids)
    return {i: ReguaFacts(steps[i].step, f) for i, f in zip(ids, facts, strict=True)}


_SENDS = cast(Table, ReguaSend.__table__)
_BLOCKED = (update(_SENDS).where(_SENDS.c.outbox_id == bindparam("row_id"))
            .values(state="blocked", reason_code=bindparam("code"),
                    decision=bindparam("decision_json", type_=_SENDS.c.decision.type)))


def record_cancelled(session: Session, cancelled: Collection[Mapping[str, Any]]) -> None:
    """The sender cancelled these régua rows: their steps show `blocked` with the reason.

    Each item has `row_id`, `code` (the main reason) and `decision_json`.
    """
    if cancelled:
        session.connection().execute(_BLOCKED, list(cancelled))
