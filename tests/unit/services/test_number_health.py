"""The number's health: quality and tier as the account sync stored them, the templates with the
problems first, and the last 30 days' failures grouped by Meta's code (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.number_health import NO_CODE_REASON, NumberHealth
from cobrador_desktop.domain.results import Light
from cobrador_desktop.domain.settings import NumberQuality
from cobrador_desktop.services.ingest import WebhookIngest
from cobrador_desktop.services.number_health import NumberHealthService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Message, Template
from cobrador_desktop.storage.repos.settings import write_number_quality
from cobrador_desktop.storage.repos.templates import TemplateState, sync_templates
from cobrador_desktop.whatsapp.webhook.parse import parse_body
from tests.unit.storage.factories import add_debtor, add_phone

NOW = datetime(2026, 12, 3, 15, tzinfo=UTC)
SYNCED = NOW - timedelta(hours=5)
CHANGED = NOW - timedelta(days=2)


def _state(name: str, status: str, quality: str | None = "GREEN", category: str = "UTILITY",
           reason: str | None = None) -> TemplateState:
    return TemplateState(name=name, language="pt_BR", category=category, status=status,
                         quality=quality, parameter_format="POSITIONAL", components=[],
                         meta_id=None, rejected_reason=reason)


def _hand_made(s: Session) -> None:
    write_number_quality(s, NumberQuality("YELLOW", "TIER_1K"), operator_id=None, now=CHANGED)
    s.add(Template(name="velho_v0", status="APPROVED"))  # Meta no longer lists it: DELETED
    s.flush()
    sync_templates(s, [_state("lembrete_vencimento_v1", "APPROVED"),
                       _state("parcela_em_atraso_v1", "PAUSED", quality="RED"),
                       _state("promo_v1", "REJECTED", None, "MARKETING", "INCORRECT_CATEGORY"),
                       _state("acordo_v1", "PENDING", None)], now=SYNCED)
    debtor = add_debtor(s, "Ana")
    conversation = Conversation(debtor_id=debtor, phone_id=add_phone(s, debtor, "+5519991119999"))
    s.add(conversation)
    s.flush()

    def failed(code: int | None, days_ago: float, detail: str = "",
               direction: str = "out", status: str = "failed") -> None:
        at = NOW - timedelta(days=days_ago)
        s.add(Message(conversation_id=conversation.id, direction=direction, status=status,
                      created_at=at - timedelta(minutes=5), status_at=at, error_code=code,
                      error_detail=detail or None))

    failed(131026, 1, "Message Undeliverable.")
    failed(131026, 3)
    failed(131026, 29.5, "older")
    failed(131026, 31)  # before the 30 days
    failed(132015, 2, "Template paused")
    failed(131047, 10, "Re-engagement message")
    failed(None, 5, "Fora do horário permitido")  # the send rules cancelled it
    failed(None, 6)
    failed(131026, 1, status="delivered")  # not a failure


def _snapshot(database: Database) -> NumberHealth:
    return asyncio.run(NumberHealthService(database, FakeClock(NOW)).snapshot(NOW))


def test_quality_templates_and_failures_by_reason(database: Database) -> None:
    database.run_sync(_hand_made)
    h = _snapshot(database)

    assert h.quality == NumberQuality("YELLOW", "TIER_1K") and h.light is Light.AMBER
    assert h.changed_at == CHANGED and h.synced_at == SYNCED
    assert [(t.name, t.status, t.problem) for t in h.templates] == [
        ("promo_v1", "REJECTED", True), ("parcela_em_atraso_v1", "PAUSED", True),
        ("acordo_v1", "PENDING", False), ("lembrete_vencimento_v1", "APPROVED", False)]
    assert h.templates[0].rejected_reason == "INCORRECT_CATEGORY"
    assert h.template_problems == 2

    assert h.failures_since == NOW - timedelta(days=30)
    rows = [(f.code, f.count, f.last_at, f.detail) for f in h.failures]
    assert rows == [(131026, 3, NOW - timedelta(days=1), "Message Undeliverable."),
                    (None, 2, NOW - timedelta(days=5), "Fora do horário permitido"),
                    (131047, 1, NOW - timedelta(days=10), "Re-engagement message"),
                    (132015, 1, NOW - timedelta(days=2), "Template paused")]
    assert h.failed == 7
    reasons = {f.code: (f.reason, f.hint) for f in h.failures}
    assert reasons[131026][0] == "Não entregue: o número pode não ter WhatsApp."
    assert reasons[132015][0] == "Modelo pausado pela Meta por baixa qualidade."
    assert reasons[131047][0] == "Janela de 24 horas fechada. Envie um modelo aprovado."
    assert reasons[None][0] == NO_CODE_REASON
    assert all(hint for _, hint in reasons.values())


def test_a_new_shop_has_nothing_yet(database: Database) -> None:
    h = _snapshot(database)
    assert h.quality == NumberQuality() and h.light is None
    assert h.changed_at is None and h.synced_at is None
    assert h.templates == () and h.failures == () and h.failed == 0


def test_a_tier_webhook_updates_the_tier_shown(database: Database) -> None:
    """Meta pushes the messaging tier (`phone_number_quality_update`), not the rating: the
    tier changes at once, the rating stays what the last sync read."""
    database.run_sync(lambda s: write_number_quality(s, NumberQuality("GREEN", "TIER_250"),
                                                     operator_id=None, now=CHANGED))
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{
        "id": "102290129340398", "time": 1767225600, "changes": [{
            "field": "phone_number_quality_update", "value": {
                "display_phone_number": "5511999990000", "event": "THROUGHPUT_UPGRADE",
                "max_daily_conversations_per_business": "TIER_1K"}}]}]}).encode()
    parsed = parse_body(body)
    asyncio.run(WebhookIngest(database, FakeClock(NOW)).deliver(body, parsed))
    h = _snapshot(database)
    assert h.quality == NumberQuality("GREEN", "TIER_1K")
    assert h.changed_at is not None and h.changed_at > CHANGED
