"""Anonymising a person reaches the raw webhook bodies kept for inspection (COMPLIANCE.md §4.3)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, DebtorPhone, WebhookDelivery
from cobrador_desktop.storage.repos import lgpd as repo
from cobrador_desktop.storage.repos.lgpd_raw import EMPTIED, person_identifiers
from tests.unit.storage.factories import add_debtor, add_phone

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
MARIA = "+5511987654321"
MARIA_OLD_FORM = "551187654321"  # Meta may write a Brazilian mobile without its 9th digit
JOSE = "+5521998887777"


def _messages(*parts: dict[str, Any], contacts: list[dict[str, Any]] | None = None,
              statuses: list[dict[str, Any]] | None = None) -> bytes:
    value: dict[str, Any] = {"messaging_product": "whatsapp",
                             "metadata": {"display_phone_number": "5511999990000",
                                          "phone_number_id": "106540352242922"}}
    if contacts:
        value["contacts"] = contacts
    if parts:
        value["messages"] = list(parts)
    if statuses:
        value["statuses"] = statuses
    return json.dumps({"object": "whatsapp_business_account", "entry": [
        {"id": "1", "changes": [{"field": "messages", "value": value}]}]}).encode()


def _text(sender: str, wamid: str, body: str) -> dict[str, Any]:
    return {"from": sender, "id": wamid, "timestamp": "1795438500", "type": "text",
            "text": {"body": body}}


def _setup(session: Session) -> dict[str, int]:
    maria = add_debtor(session, "Maria Souza")
    add_phone(session, maria, MARIA)
    jose = add_debtor(session, "José Lima")
    add_phone(session, jose, JOSE)
    batch = WebhookDelivery(body=_messages(
        _text(MARIA_OLD_FORM, "wamid.M1", "Sou a Maria, pago sexta"),
        _text("5521998887777", "wamid.J1", "Aqui é o José"),
        contacts=[{"profile": {"name": "Maria Souza"}, "wa_id": MARIA_OLD_FORM,
                   "user_id": "BR.1349120865530274"},
                  {"profile": {"name": "José Lima"}, "wa_id": "5521998887777"}]))
    status = WebhookDelivery(body=_messages(statuses=[{
        "id": "wamid.OUT1", "status": "failed", "timestamp": "1795438600",
        "recipient_id": "5511987654321",
        "errors": [{"code": 131026, "title": "Message undeliverable",
                    "error_data": {"details": "5511987654321 is not on WhatsApp"}}]}]))
    broken = WebhookDelivery(body=b"{not json 5511987654321", parsed_ok=False, problem="JSON")
    unrelated = WebhookDelivery(body=_messages(_text("5521998887777", "wamid.J2", "Oi")))
    session.add_all([batch, status, broken, unrelated])
    session.flush()
    return {"maria": maria, "batch": batch.id, "status": status.id, "broken": broken.id,
            "unrelated": unrelated.id}


def test_identifiers_hold_both_forms_of_a_mobile_and_skip_short_ids() -> None:
    found = person_identifiers([MARIA], ["BR.1349120865530274", None, "123"])
    assert found == {"5511987654321", MARIA_OLD_FORM, "BR.1349120865530274"}


def test_anonymise_removes_the_person_from_raw_bodies_and_keeps_everyone_else(
        database: Database) -> None:
    ids = database.run_sync(_setup)
    before = database.run_sync(lambda s: s.get_one(WebhookDelivery, ids["unrelated"]).body)
    result = database.run_sync(lambda s: repo.anonymise(s, ids["maria"], now=NOW, today=TODAY))
    assert result.raw_bodies == 3

    def check(session: Session) -> None:
        bodies = {row.id: row for row in session.scalars(select(WebhookDelivery))}
        batch = bytes(bodies[ids["batch"]].body).decode()
        for trace in ("Maria", "5511987654321", MARIA_OLD_FORM, "BR.1349120865530274",
                      "pago sexta"):
            assert trace not in batch, trace
        value = json.loads(batch)["entry"][0]["changes"][0]["value"]
        # José's message and contact are untouched; Maria's message keeps its id and time only
        assert value["messages"][1]["text"]["body"] == "Aqui é o José"
        assert value["contacts"][1]["profile"]["name"] == "José Lima"
        assert value["messages"][0] == {"id": "wamid.M1", "timestamp": "1795438500",
                                        "type": "text", "anonimizado": True}
        status = json.loads(bytes(bodies[ids["status"]].body))
        failed = status["entry"][0]["changes"][0]["value"]["statuses"][0]
        assert failed == {"id": "wamid.OUT1", "timestamp": "1795438600", "status": "failed",
                          "anonimizado": True}
        assert (bytes(bodies[ids["broken"]].body), bodies[ids["broken"]].problem) == (
            b"", EMPTIED)
        assert bytes(bodies[ids["unrelated"]].body) == bytes(before)
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.details["raw_bodies"] == 3

    database.run_sync(check)


def test_a_number_another_debtor_keeps_stays_in_the_raw_bodies(database: Database) -> None:
    def shared(session: Session) -> tuple[int, int]:
        maria = add_debtor(session, "Maria Souza")
        phone = add_phone(session, maria, JOSE)
        jose = add_debtor(session, "José Lima")
        session.add(DebtorPhone(debtor_id=jose, phone_id=phone, role="own"))
        delivery = WebhookDelivery(body=_messages(_text("5521998887777", "wamid.J1", "Oi")))
        session.add(delivery)
        session.flush()
        return maria, delivery.id

    maria, delivery = database.run_sync(shared)
    result = database.run_sync(lambda s: repo.anonymise(s, maria, now=NOW, today=TODAY))
    assert result.raw_bodies == 0
    body = database.run_sync(lambda s: bytes(s.get_one(WebhookDelivery, delivery).body))
    assert b"Oi" in body
