"""A sample conversation's rows: its messages with times and delivery statuses, the outbox rows
they left, the régua's `regua_sends`, and what the answers changed on the phone and its link.

Part of the demo data generator (`demo_data.py`); what is said is `demo_chat`. Statuses and Meta
error codes are the real ones (WHATSAPP_CLOUD_API.md §4.5 and §7); answers are stored as the
webhook ingest stores them (`payload.answer` from `domain.inbound_answers.classify`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from cobrador_desktop.domain.inbound_answers import classify
from cobrador_desktop.services import demo_corpus as corpus
from cobrador_desktop.services import demo_regua as regua
from cobrador_desktop.services.demo_chat import ChatContext, Exchange, Spec, plan
from cobrador_desktop.storage.repos.reminders import RECEIPT_STEP

#: the shop's WhatsApp number as the webhooks name it (`context.from`)
BUSINESS_NUMBER = "5511999990000"


@dataclass
class RowIds:
    """The last id given in the tables a conversation adds to (shared across the data set)."""

    outbox: int = 0
    regua_send: int = 0


@dataclass
class ConversationRows:
    conversation: dict[str, Any]
    messages: list[dict[str, Any]]
    outbox: list[dict[str, Any]]
    regua_sends: list[dict[str, Any]]


def _times(rng: corpus.DemoRandom, exchanges: list[Exchange], now: datetime) -> list[datetime]:
    """Increasing instants, each exchange on its day (the régua's in the morning), before `now`:
    what would fall after it is squeezed into the minutes before it."""
    times: list[datetime] = []
    cursor: datetime | None = None
    for exchange in exchanges:
        start = datetime.combine(exchange.day, time(12, 0), UTC) + timedelta(
            minutes=rng.randint(0, 120) if exchange.morning else rng.randint(60, 520))
        if cursor is not None and start <= cursor:
            start = cursor + timedelta(minutes=rng.randint(1, 30))
        at = start
        for index in range(len(exchange.specs)):
            if index:
                at += timedelta(minutes=rng.randint(1, 90), seconds=rng.randint(0, 59))
            times.append(at)
        cursor = at
    limit = now - timedelta(minutes=1)
    for index in range(len(times) - 1, -1, -1):
        if times[index] <= limit:
            break
        times[index] = limit
        limit -= timedelta(minutes=rng.randint(1, 12), seconds=rng.randint(0, 59))
    return times


def _status(rng: corpus.DemoRandom, spec: Spec, row: dict[str, Any], *, answered: bool,
            now: datetime) -> str:
    """Where an outbound message got to (one the debtor answered was surely read); returns the
    outbox row's state."""
    at: datetime = row["created_at"]
    if isinstance(spec.outcome, tuple):
        code, detail = spec.outcome
        row.update(status="failed", error_code=code, error_detail=detail,
                   status_at=min(now, at + timedelta(seconds=rng.randint(1, 20))))
        return "failed"
    if spec.outcome == "unknown":
        row.update(status="unknown", wamid=None)
        return "unknown"
    if answered:
        status = "read"
    elif now - at > timedelta(days=1):
        status = rng.pick(("read", "delivered", "sent"), (55, 38, 7))
    else:
        status = rng.pick(("read", "delivered", "sent"), (40, 40, 20))
    row.update(status=status, status_at=min(now, at + timedelta(seconds=rng.randint(2, 5400))))
    return "sent"


def _inbound_payload(spec: Spec, row: dict[str, Any], ctx: ChatContext,
                     context_wamid: str | None) -> dict[str, Any] | None:
    """What the ingest keeps for a tap: the raw message, its payload and the answer it means."""
    if spec.tap is None:
        return spec.payload
    raw: dict[str, Any] = {"from": ctx.phone["wa_id"], "id": row["wamid"],
                           "timestamp": str(int(row["created_at"].timestamp())),
                           "type": spec.type}
    if spec.type == "interactive":
        raw["interactive"] = {"type": "button_reply",
                              "button_reply": {"id": spec.tap, "title": spec.text}}
    else:
        raw["button"] = {"payload": spec.tap, "text": spec.text}
    if context_wamid:
        raw["context"] = {"from": BUSINESS_NUMBER, "id": context_wamid}
    payload: dict[str, Any] = {"payload": spec.tap, "context": context_wamid,
                               "profile_name": ctx.first_name, "raw": raw}
    answer = classify(spec.type, spec.text, spec.tap)
    if answer is not None:
        payload["answer"] = answer.to_json()
    return payload


def build_conversation(rng: corpus.DemoRandom, ctx: ChatContext, count: int, *, now: datetime,
                       ids: RowIds) -> ConversationRows:
    """A conversation and exactly `count` messages; updates `ctx.phone`, `ctx.link` and the
    debts thanked."""
    exchanges, ending = plan(rng, ctx, count)
    specs = [spec for exchange in exchanges for spec in exchange.specs]
    times = _times(rng, exchanges, now)
    answered_until: list[bool] = []
    seen_inbound = False
    for spec in reversed(specs):  # an outbound message with an inbound one after it
        answered_until.append(seen_inbound)
        seen_inbound = seen_inbound or spec.direction == "in"
    answered_until.reverse()
    rows: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    sends: list[dict[str, Any]] = []
    last_out: str | None = None
    for offset, (spec, at) in enumerate(zip(specs, times, strict=True)):
        message_id = ctx.first_message_id + offset
        row: dict[str, Any] = {
            "id": message_id, "conversation_id": ctx.conversation_id,
            "wamid": f"wamid.DEMO{message_id:012X}", "direction": spec.direction,
            "type": spec.type, "text": spec.text, "payload": spec.payload,
            "template_name": spec.template, "status": "received", "error_code": None,
            "error_detail": None, "operator_id": spec.operator_id,
            "created_at": at, "status_at": at,
        }
        if spec.direction == "in":
            row["payload"] = _inbound_payload(spec, row, ctx, last_out)
            _answered(ctx, spec, row, ending)
        else:
            state = _status(rng, spec, row, answered=answered_until[offset], now=now)
            if spec.confirms:  # an operator's confirmation: no message names it
                ctx.link.update(cpc_status="confirmed", cpc_message_id=None, cpc_at=min(
                    now, at + timedelta(hours=rng.randint(2, 72))))
            last_out = row["wamid"]
            decided = regua.decision(at)
            ids.outbox += 1
            outbox.append(regua.outbox_row(ids.outbox, row, to=ctx.phone["e164"],
                                           purpose=spec.purpose, kind=spec.kind, state=state,
                                           decided=decided))
            if spec.event is not None:
                ids.regua_send += 1
                sends.append(regua.send_row(ids.regua_send, spec.event, debtor_id=ctx.debtor_id,
                                            phone_id=ctx.phone["id"], outbox_id=ids.outbox,
                                            at=at, decided=decided))
                if spec.event.step == RECEIPT_STEP and state == "sent":
                    spec.event.debt["thanked_at"] = at
        rows.append(row)
    return ConversationRows(_conversation(rng, ctx, rows, now), rows, outbox, sends)


def _answered(ctx: ChatContext, spec: Spec, row: dict[str, Any], ending: str) -> None:
    """What an answer changed: the identity check, "não sou eu", an opt-out."""
    if spec.tap is None:
        return
    action = spec.tap.split(":", 1)[0]
    if action == "CPC_YES":
        ctx.link.update(cpc_status="confirmed", cpc_at=row["created_at"],
                        cpc_message_id=row["wamid"])
    elif action == "CPC_NO" and ending == "wrong_party":
        ctx.link.update(cpc_status="denied", cpc_at=row["created_at"],
                        cpc_message_id=row["wamid"], wrong_party=True,
                        wrong_party_at=row["created_at"])
    elif action == "STOP" and ending == "opt_out":
        ctx.phone.update(opted_out=True, opted_out_at=row["created_at"],
                         opt_out_source=f"WhatsApp: STOP ({row['wamid']})")


def _conversation(rng: corpus.DemoRandom, ctx: ChatContext, rows: list[dict[str, Any]],
                  now: datetime) -> dict[str, Any]:
    if ctx.link["cpc_status"] == "unverified":
        ctx.link["cpc_status"] = "pending"  # asked, not answered yet
    inbound = [r["created_at"] for r in rows if r["direction"] == "in"]
    last = rows[-1]
    trailing = 0
    for r in reversed(rows):
        if r["direction"] != "in":
            break
        trailing += 1
    if last["direction"] == "in":
        status = "open"
    else:
        status = rng.choice(("waiting", "resolved")) if inbound else "waiting"
    recent = now - last["created_at"] < timedelta(days=3)
    return {
        "id": ctx.conversation_id, "phone_id": ctx.phone["id"], "debtor_id": ctx.debtor_id,
        "assigned_operator_id": ctx.operator_id, "status": status,
        "last_inbound_at": inbound[-1] if inbound else None,
        "last_message_at": last["created_at"], "unread_count": trailing if recent else 0,
        "created_at": rows[0]["created_at"], "changed_at": last["created_at"],
        # the debtor's first message nobody answered yet (as the ingest records it)
        "waiting_since": rows[-trailing]["created_at"] if trailing else None,
        "resolved_at": last["created_at"] if status == "resolved" else None,
    }
