"""Every recorded webhook shape parses to exactly the events it means (WHATSAPP_CLOUD_API.md §4)."""

from __future__ import annotations

import json

import pytest

from cobrador_desktop.domain.webhook_events import (
    AccountUpdate,
    ApiErrorInfo,
    InboundMessage,
    StatusUpdate,
    TemplateUpdate,
    UnknownChange,
    WebhookError,
    WebhookEvent,
)
from cobrador_desktop.whatsapp.webhook.parse import ParseResult, parse_body
from tests.unit.whatsapp.webhook._data import (
    JOAO,
    MARIA,
    OUR_TEMPLATE,
    OUR_TEXT,
    PNID,
    at,
    fixture_names,
    inbound,
    raw,
    status,
    wamid,
)

E_131051 = ApiErrorInfo(131051, "Message type unknown", "Message type unknown",
                        "Message type is currently not supported.")
E_131026 = ApiErrorInfo(131026, "Message undeliverable", "Message undeliverable", "Message Undeliverable.")
E_130429 = ApiErrorInfo(130429, "Rate limit hit", "(#130429) Rate limit hit",
                        "Cloud API message throughput has been reached.")
TPL = {"template_id": "1234567890123456", "name": "parcela_em_atraso_v1", "language": "pt_BR"}

EXPECTED: dict[str, tuple[WebhookEvent, ...]] = {
    "text": (inbound("QTk2RjE0RkI4NTk3", "text", "Já paguei, segue o comprovante"),),
    "button": (inbound("QjEyM0E0NTY3ODkw", "button", "Já paguei", "PAGO:d42:3", OUR_TEMPLATE),),
    "interactive_button_reply": (inbound("QzIzNDVCNjc4OTAx", "interactive", "PIX", "pix:d42:3", OUR_TEXT),),
    "interactive_list_reply": (
        inbound("RDM0NTZDNzg5MDEy", "interactive", "Parcela 3 - R$ 150,00", "inst:42:3", OUR_TEXT),),
    "image": (inbound("RTQ1NjdEODkwMTIz", "image", "comprovante", "1479537139650973"),),
    "document": (inbound("RjU2NzhFOTAxMjM0", "document", "comprovante.pdf", "2261417844234568"),),
    "audio": (inbound("RzY3ODlGMDEyMzQ1", "audio", "", "1002712345678901"),),
    "video": (inbound("SDc4OTBBMTIzNDU2", "video", "olha o recibo", "887766554433221"),),
    "sticker": (inbound("STg5MDFCMjM0NTY3", "sticker", "", "998877665544332"),),
    "location": (inbound("Sjk5MDFDMzQ1Njc4", "location", "Loja do Centro, Av. Paulista, 1000"),),
    "location_pin": (inbound("SzAwMTJEND1Njc5", "location", "-22.9068,-43.1729"),),
    "contacts": (inbound("TDExMjNFNTY3ODkw", "contacts", "João Souza, Ana Lima"),),
    "reaction": (inbound("TTIyMzRGNjc4OTAx", "reaction", "👍", None, OUR_TEMPLATE),),
    "reaction_removed": (inbound("TjMzNDVBNzg5MDEy", "reaction", "", None, OUR_TEMPLATE),),
    "unsupported": (inbound("TzQ0NTZCODkwMTIz", "unsupported", "", "edit", errors=(E_131051,)),),
    # no from_user_id in the message: the BSUID comes from the matching contact
    "system_user_changed_number": (inbound(
        "UDU1NjdDOTAxMjM0", "system", "Maria Souza changed their phone number to a new number 5511976543210",
        "5511976543210"),),
    "order": (inbound("UTY2NzhEMDEyMzQ1", "order", "Quero esse"),),
    "referral": (inbound("Ujc3ODlFMTIzNDU2", "text", "Olá, vi o anúncio"),),
    "request_welcome": (inbound("Uzg4OTBGMjM0NTY3", "request_welcome", ""),),
    "unknown_type": (inbound("VjExMjNDNTY3ODkw", "poll_vote", "Sim"),),
    "bsuid_only": (inbound("VDk5MDFBMzQ1Njc4", "text", "Oi, é da loja?", frm=None, name="maria.s"),),
    "numbers_as_ints": (inbound("VTAwMTJCNDU2Nzg5", "button", "Já paguei", "42", OUR_TEMPLATE, sec=30,
                                uid=None),),
    "escaped_unicode": (InboundMessage(
        phone_number_id=PNID, wamid="wamid.HBgNNTUyMTk5ODc2NTQzMhUCABIYIEVzY2FwZWRVbmljb2RlAA==",
        from_wa_id=JOAO, from_user_id=None, timestamp=at(90), type="image", text="Já paguei 👍 — recibo 1/3",
        payload="1579537139650974", context_wamid=None, profile_name="João Conceição", errors=(), raw={}),),
    "statuses": (
        status("MDk2QkQ0RkJBNjE0", "sent", 1, cb="ob:81235", category="utility", type_="regular"),
        status("MDk2QkQ0RkJBNjE0", "delivered", 3, cb="ob:81235", category="utility", type_="regular"),
        status("MDk2QkQ0RkJBNjE0", "read", 40, cb="ob:81235"),
    ),
    "status_failed_with_contacts": (
        status("QzE3QjU2RkE4OUQw", "failed", 5, uid=None, cb="ob:81236", errors=(E_131026,)),),
    "status_hyphenated_pricing": (status("QXV0aEludGxQcmlj", "sent", 7, rid="5491123456789", uid=None,
                                         category="authentication_international",
                                         type_="free_customer_service"),),
    "value_errors": (WebhookError(PNID, E_130429, raw={}),),
    "batch": (
        inbound("QmF0Y2gxMTExMTEx", "text", "Bom dia", sec=10),
        inbound("QmF0Y2gyMjIyMjIy", "interactive", "PIX", "pix:d42:3", OUR_TEXT, sec=11),
        inbound("QmF0Y2gzMzMzMzMz", "text", "Pode me mandar o boleto?", sec=12, frm=JOAO, uid=None,
                name="João Pereira"),
        inbound("QmF0Y2gxMTExMTEx", "text", "Bom dia", sec=10),  # a retry inside the batch: kept
        status("QmF0Y2hTMTExMTEx", "delivered", 13, cb="ob:9001"),
        status("QmF0Y2hTMjIyMjIy", "read", 14, rid=JOAO, uid=None, cb="ob:9002"),
        status("QmF0Y2hTMTExMTEx", "delivered", 13, cb="ob:9001"),
        inbound("QmF0Y2g0NDQ0NDQ0", "text", "Outro número", sec=15, uid=None, pnid="106540352242923"),
        TemplateUpdate("message_template_quality_update", value="YELLOW", reason=None, raw={},
                       entry_time=at(20), **TPL),
    ),
    "template_status_rejected": (TemplateUpdate(
        "message_template_status_update", value="REJECTED", reason="INCORRECT_CATEGORY", raw={},
        entry_time=at(0), **TPL),),
    "template_status_paused": (TemplateUpdate("message_template_status_update", value="PAUSED",
                                              reason="FIRST_PAUSE", raw={}, entry_time=at(60), **TPL),),
    "template_quality_update": (TemplateUpdate("message_template_quality_update", value="RED", reason=None,
                                               raw={}, entry_time=at(120), **TPL),),
    "template_category_update": (TemplateUpdate("template_category_update", value="MARKETING", reason=None,
                                                raw={}, entry_time=at(180), **TPL),),
    "phone_number_quality_update": (AccountUpdate("phone_number_quality_update", "THROUGHPUT_UPGRADE", None,
                                                  "TIER_UNLIMITED", raw={}, entry_time=at(240)),),
    "business_capability_update": (AccountUpdate("business_capability_update", None, None, "TIER_2K", raw={},
                                                 entry_time=at(300)),),
    "account_update_violation": (AccountUpdate("account_update", "ACCOUNT_VIOLATION", None, "SCAM", raw={},
                                               entry_time=at(360)),),
    "account_update_disabled": (AccountUpdate("account_update", "DISABLED_UPDATE", None, "DISABLE", raw={},
                                              entry_time=at(420)),),
    "account_alerts": (AccountUpdate(
        "account_alerts", "INCREASED_CAPABILITIES_ELIGIBILITY_FAILED", None,
        "Limits cannot be increased at this time. Use WhatsApp Business platform actively for several days "
        "and follow our messaging policies.", raw={}, entry_time=at(480)),),
    "user_preferences": (AccountUpdate("user_preferences", "marketing_messages", MARIA, "stop", raw={},
                                       entry_time=at(540)),),
    "unknown_field": (UnknownChange("smb_message_echoes", "field not handled", raw={}, entry_time=at(600)),),
}


def test_every_fixture_has_an_expectation() -> None:
    assert set(EXPECTED) | {"not_waba"} == set(fixture_names())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_to_the_expected_events(name: str) -> None:
    assert parse_body(raw(name)) == ParseResult(EXPECTED[name], ok=True, problem=None)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_event_keeps_the_json_it_came_from(name: str) -> None:
    doc = json.loads(raw(name))
    value = doc["entry"][0]["changes"][0]["value"]
    event = parse_body(raw(name)).events[0]
    if isinstance(event, InboundMessage):
        assert event.raw == value["messages"][0]
    elif isinstance(event, StatusUpdate):
        assert event.raw == value["statuses"][0]
    elif isinstance(event, WebhookError):
        assert event.raw == value["errors"][0]
    elif isinstance(event, UnknownChange):
        assert event.raw == doc["entry"][0]["changes"][0]
    elif event.field == "user_preferences":
        assert event.raw == value["user_preferences"][0]
    else:
        assert event.raw == value


def test_another_object_is_refused_with_a_reason() -> None:
    assert parse_body(raw("not_waba")) == ParseResult((), ok=False,
                                                      problem="object is not whatsapp_business_account")


def test_escaped_unicode_reads_as_the_accented_text() -> None:
    body = raw("escaped_unicode")
    assert b"Jo\\u00e3o" in body and b"\\ud83d\\udc4d" in body and b"\\/" in body
    (message,) = parse_body(body).events
    assert isinstance(message, InboundMessage)
    assert message.profile_name == "João Conceição"


def test_statuses_keep_their_order_and_wamid_for_the_outbox() -> None:
    events = parse_body(raw("statuses")).events
    assert [(e.wamid, e.status) for e in events if isinstance(e, StatusUpdate)] == [
        (wamid("MDk2QkQ0RkJBNjE0"), "sent"), (wamid("MDk2QkQ0RkJBNjE0"), "delivered"),
        (wamid("MDk2QkQ0RkJBNjE0"), "read")]
