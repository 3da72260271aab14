"""Webhook bodies from hypothesis against the running receiver: the real `WebhookServer` and the real
ingest (the engine `serve` runs) on a migrated database, over HTTP on 127.0.0.1.

- A validly signed body, whatever it holds (bytes, any JSON, Meta's shapes with fields missing,
  mistyped, huge, in any script, ids repeated, numbers as strings), is answered 200, never 5xx,
  and kept raw; the server keeps working afterwards.
- A missing, forged or replayed-with-another-body signature is refused (401/403) and nothing at
  all is stored: every table has the same rows before and after.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobrador_desktop.app.engine import ReceiverConfig, WhatsAppEngine
from cobrador_desktop.domain.clock import FakeClock, SystemClock
from cobrador_desktop.domain.policy import SendFacts, SendRequest, evaluate
from cobrador_desktop.services.outbox import OutboxService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Base, Conversation, Message, WebhookDelivery
from cobrador_desktop.whatsapp.webhook.verify import MAX_BODY, SIGNATURE_HEADER, sign
from tests.unit.storage.factories import add_debtor, add_phone
from tests.unit.whatsapp.webhook._data import fixture_names, raw

SECRET = b"segredo-do-app"
VERIFY = "token-de-verificacao"
MARIA = "+5511987654321"

# No example database (a failure prints its reproduction); no deadline: a loaded runner is slow.
FUZZ = settings(deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ----------------------------------------------------------------------------- strategies

#: strings that broke naive receivers: huge, every script, NUL, lone surrogates, digits as text
HUGE = ["x" * 100_000, "ã" * 30_000, "😀" * 10_000, "\x00" * 5_000, "9" * 5_000]
awkward = st.sampled_from([
    None, True, False, 0, -1, 2**63, 10**40, 1.5, -0.0, 1e308, "", " ", "\ud800", "a\x00b", "-5",
    "99999999999999999999", "1e20", "NaN", "ação 😀 مرحبا 你好", [], {}, [None], {"id": None},
])
texts = st.text(max_size=40) | st.sampled_from(HUGE) | awkward
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=16)


def often(shaped: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly `shaped`; one time in eight any other value in its place."""
    return st.integers(0, 7).flatmap(lambda n: shaped if n else awkward | json_values)


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    return often(st.fixed_dictionaries(required, optional=optional or {}))


def some(item: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return often(st.lists(item, min_size=1, max_size=3))


#: a few ids drawn again and again, so duplicates and replays are the rule
wamids = often(st.sampled_from(["wamid.A1", "wamid.A2", "wamid.OUT1", "wamid." + "x" * 300, "ã😀"]))
wa_ids = often(st.sampled_from(["5511987654321", "551187654321", "5521999990000", "0",
                                "+55 11 98765-4321", 5511987654321])
               | st.from_regex(r"\A[0-9]{1,40}\Z"))
instants = often(st.sampled_from(["1767225600", "-1", "0", "253402300800", "1e9", 1767225600])) \
    | st.integers(-(2**70), 2**70) | st.floats()
callbacks = often(st.sampled_from(["ob:1", "ob:0", "ob:-1", "ob:", "ob:99999999999999999999999",
                                   "ob:1x"])) | texts
MESSAGE_TYPES = ["text", "button", "interactive", "image", "document", "audio", "video", "sticker",
                 "location", "contacts", "reaction", "unsupported", "system", "order",
                 "request_welcome", "bogus"]
STATUSES = ["sent", "delivered", "read", "failed", "deleted", "SENT", "played", "x" * 50]
FIELDS = [
    "messages", "message_template_status_update", "message_template_quality_update",
    "template_category_update", "phone_number_quality_update", "account_update", "account_alerts",
    "business_capability_update", "user_preferences", "smb_message_echoes", "bogus"]

error = obj({"code": often(st.sampled_from([131026, 131047, "131050", 190])) | st.integers() | texts},
            {"title": texts, "message": texts, "error_data": obj({}, {"details": texts})})
reply = obj({}, {"id": texts, "title": texts, "description": texts})
inbound = obj({"from": wa_ids, "id": wamids, "timestamp": instants,
               "type": often(st.sampled_from(MESSAGE_TYPES))}, {
    "text": obj({"body": texts}),
    "button": obj({}, {"payload": texts, "text": texts}),
    "interactive": obj({"type": often(st.sampled_from(["button_reply", "list_reply", "nfm_reply"]))},
                       {"button_reply": reply, "list_reply": reply}),
    "image": obj({}, {"id": texts, "mime_type": texts, "sha256": texts, "caption": texts}),
    "location": obj({}, {"latitude": st.floats() | texts, "longitude": st.floats() | texts,
                         "name": texts, "address": texts}),
    "contacts": some(json_values),
    "reaction": obj({}, {"message_id": wamids, "emoji": texts}),
    "context": obj({}, {"id": wamids, "from": wa_ids}),
    "errors": some(error),
})
status = obj({"id": wamids, "status": often(st.sampled_from(STATUSES)), "timestamp": instants,
              "recipient_id": wa_ids}, {
    "biz_opaque_callback_data": callbacks, "errors": some(error),
    "pricing": obj({}, {"category": texts, "type": texts, "billable": json_values}),
    "conversation": json_values,
})
messages_value = obj({"messaging_product": often(st.just("whatsapp"))}, {
    "metadata": obj({}, {"display_phone_number": wa_ids, "phone_number_id": wa_ids}),
    "contacts": some(obj({}, {"wa_id": wa_ids, "profile": obj({}, {"name": texts})})),
    "messages": some(inbound),
    "statuses": some(status),
    "errors": some(error),
})
other_value = obj({}, {
    "event": texts, "message_template_id": st.integers() | texts, "message_template_name": texts,
    "message_template_language": texts, "reason": texts, "new_quality_score": texts,
    "new_category": texts, "current_limit": texts, "user_preferences": some(json_values),
    "alert_info": json_values, "ban_info": json_values, "violation_info": json_values,
})
change = (obj({"field": often(st.just("messages")), "value": messages_value})
          | obj({"field": often(st.sampled_from(FIELDS)), "value": other_value}))
# the envelope stays Meta's (arbitrary JSON is the other test): what is inside it varies
generated = st.fixed_dictionaries({
    "object": st.just("whatsapp_business_account"),
    "entry": some(obj({"id": wa_ids, "changes": some(change)}, {"time": instants}))})

# Meta's recorded payloads (tests/fixtures/meta/webhooks) with keys deleted, values swapped for
# awkward ones, numbers turned into strings and back, items duplicated.
RECORDED = [json.loads(raw(name)) for name in fixture_names() if name != "not_waba"]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix and prefix != ("object",) else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        out += _paths(child, (*prefix, key))
    return out


def _retyped(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) < 100:
        return int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return [value]


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(RECORDED)))
    for _ in range(draw(st.integers(0, 6), label="mutations")):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths), label="path")
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        action = draw(st.sampled_from(["delete", "replace", "retype", "duplicate"]), label="action")
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = copy.deepcopy(draw(awkward | texts | json_values | wamids, label="new"))
        elif action == "retype":
            parent[key] = _retyped(parent[key])
        elif isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        else:
            parent[key] = [parent[key], copy.deepcopy(parent[key])]
    return doc


meta_payloads = generated | mutated()


def _encode(doc: Any, ascii_only: bool) -> bytes:
    # Meta escapes non-ASCII (`\u00e3`); a proxy may not: the signature covers whichever bytes came
    return json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


# within the 1 MiB Meta never exceeds (the 413 above it has its own test in test_webhook_receiver)
json_bodies = st.builds(_encode, json_values, st.booleans()).filter(lambda raw: len(raw) <= MAX_BODY)
meta_bodies = st.builds(_encode, meta_payloads, st.booleans()).filter(lambda raw: len(raw) <= MAX_BODY)

# ----------------------------------------------------------------------------- the running server


@contextmanager
def receiver(database: Database) -> Iterator[httpx.Client]:
    """The engine's webhook receiver on its own loop in a thread, and a client for it."""
    engine = WhatsAppEngine(database, SystemClock(), receiver=ReceiverConfig([SECRET], VERIFY, port=0),
                            cloud=None)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="webhook-fuzz", daemon=True)
    thread.start()

    def call(coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=60)
    try:
        call(engine.start())
        assert engine.receiver_url is not None
        try:
            with httpx.Client(base_url=engine.receiver_url, timeout=60) as client:
                yield client
        finally:
            call(engine.stop())
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


def _prepare(database: Database) -> None:
    """A debtor the fuzzed inbounds may land on, and an outbound message `ob:1` statuses may name."""
    def maria(session: Session) -> int:
        debtor = add_debtor(session, "Maria Souza")
        conversation = Conversation(phone_id=add_phone(session, debtor, MARIA), debtor_id=debtor)
        session.add(conversation)
        session.flush()
        return conversation.id
    conversation = database.run_sync(maria)
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday, 12:00 in Brasília: contact hours
    decision = evaluate(SendRequest("business_initiated", "reminder", "template"), SendFacts(), now)
    asyncio.run(OutboxService(database, FakeClock(now)).enqueue(
        conversation_id=conversation, payload={"type": "template", "template": {
            "name": "lembrete_vencimento_v1", "language": {"code": "pt_BR"}}},
        purpose="reminder", kind="business_initiated", message_type="template", text="Lembrete",
        decision=decision))


def _stored_raw(database: Database, raw: bytes) -> int:
    return int(database.run_sync(lambda s: s.scalar(
        select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.body == raw))) or 0)


def _post(client: httpx.Client, raw: bytes, signature: str | bytes | None) -> httpx.Response:
    headers: list[tuple[bytes, bytes]] = [(b"Content-Type", b"application/json")]
    if signature is not None:
        value = signature if isinstance(signature, bytes) else signature.encode("latin-1")
        headers.append((SIGNATURE_HEADER.encode(), value))
    return client.post("/webhook", content=raw, headers=headers)


def _accepted_and_kept(client: httpx.Client, database: Database, raw: bytes) -> None:
    response = _post(client, raw, sign(raw, SECRET))
    assert response.status_code == 200, (response.status_code, response.text, raw[:300])
    assert _stored_raw(database, raw) >= 1, raw[:300]


def _still_working(client: httpx.Client, database: Database) -> None:
    """After the storm, an ordinary inbound still lands in the debtor's conversation."""
    doc = {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [
        {"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "5511999990000", "phone_number_id": "1122334455667"},
            "contacts": [{"profile": {"name": "Maria"}, "wa_id": "5511987654321"}],
            "messages": [{"from": "5511987654321", "id": "wamid.DEPOIS", "timestamp": "1767225600",
                          "type": "text", "text": {"body": "Ainda funciona?"}}]}}]}]}
    raw = json.dumps(doc).encode()
    assert _post(client, raw, sign(raw, SECRET)).status_code == 200
    assert client.get("/healthz").status_code == 200
    texts_ = database.run_sync(lambda s: s.scalars(
        select(Message.text).where(Message.wamid == "wamid.DEPOIS")).all())
    assert texts_ == ["Ainda funciona?"]


# ----------------------------------------------------------------------------- validly signed


def test_signed_bodies_of_any_shape_are_kept_raw_and_answered_200(database: Database) -> None:
    _prepare(database)
    with receiver(database) as client:
        @settings(FUZZ, max_examples=60)
        @given(st.binary(max_size=2048))
        def any_bytes(raw: bytes) -> None:
            _accepted_and_kept(client, database, raw)

        @settings(FUZZ, max_examples=60)
        @given(json_bodies)
        def any_json(raw: bytes) -> None:
            _accepted_and_kept(client, database, raw)

        any_bytes()
        any_json()
        _still_working(client, database)


def test_signed_meta_shaped_bodies_with_anything_in_their_fields_never_5xx(database: Database) -> None:
    _prepare(database)
    with receiver(database) as client:
        @settings(FUZZ, max_examples=200)
        @given(meta_bodies, st.booleans())
        def meta_shaped(raw: bytes, again: bool) -> None:
            _accepted_and_kept(client, database, raw)
            if again:  # Meta delivers the same body again when it did not hear the 200 in time
                _accepted_and_kept(client, database, raw)

        meta_shaped()
        _still_working(client, database)


def _one_change(field: str, value: dict[str, Any]) -> bytes:
    if field == "messages":
        value = {"messaging_product": "whatsapp", "metadata": {
            "display_phone_number": "5511999990000", "phone_number_id": "1122334455667"}, **value}
    return json.dumps({"object": "whatsapp_business_account", "entry": [
        {"id": "102290129340398", "time": 1767225600,
         "changes": [{"field": field, "value": value}]}]}).encode()


def _status(**changes: Any) -> bytes:
    item = {"id": "wamid.LONGO", "status": "delivered", "timestamp": "1767225600",
            "recipient_id": "5511987654321", "biz_opaque_callback_data": "ob:1",
            "pricing": {"billable": True, "category": "utility", "type": "regular"}, **changes}
    return _one_change("messages", {"statuses": [item]})


def _inbound(**changes: Any) -> bytes:
    message = {"from": "5511987654321", "id": "wamid.LONGO", "timestamp": "1767225600",
               "type": "text", "text": {"body": "Oi"}, **changes}
    return _one_change("messages", {
        "contacts": [{"profile": {"name": "Maria"}, "wa_id": message["from"]}], "messages": [message]})


def _template(**changes: Any) -> bytes:
    return _one_change("message_template_status_update", {
        "event": "PAUSED", "message_template_id": 1234567890123456,
        "message_template_name": "lembrete_vencimento_v1", "message_template_language": "pt_BR",
        "reason": None, **changes})


#: one field longer than its database column, each (PostgreSQL enforces lengths; SQLite does not)
OVERLONG = {
    "status id": _status(id="wamid." + "A" * 300),
    "status name": _status(status="x" * 50),
    "status recipient": _status(recipient_id="9" * 60),
    "status callback": _status(biz_opaque_callback_data="ob:" + "9" * 600),
    "status pricing": _status(pricing={"category": "c" * 100, "type": "t" * 100}),
    "status error code": _status(status="failed", errors=[{"code": 99_999_999_999, "title": "?"}]),
    "inbound id": _inbound(id="wamid." + "B" * 300),
    "inbound sender": _inbound(**{"from": "9" * 60}),
    "inbound type": _inbound(type="t" * 50),
    "inbound user id": _inbound(from_user_id="BR." + "1" * 300),
    "template name": _template(message_template_name="m" * 600),
    "template language": _template(message_template_language="l" * 50),
    "template event": _template(event="E" * 50),
    "template id": _template(message_template_id=10**59),
    "quality": _one_change("message_template_quality_update", {
        "previous_quality_score": "GREEN", "new_quality_score": "Q" * 50,
        "message_template_id": 1234567890123456, "message_template_name": "lembrete_vencimento_v1",
        "message_template_language": "pt_BR"}),
}


@pytest.mark.parametrize("raw", OVERLONG.values(), ids=OVERLONG.keys())
def test_a_field_longer_than_its_column_is_kept_not_answered_500(database: Database,
                                                                  raw: bytes) -> None:
    """Meta would redeliver a 500 for 36 hours, and the body would never be kept."""
    _prepare(database)
    with receiver(database) as client:
        _accepted_and_kept(client, database, raw)
        _still_working(client, database)


# ----------------------------------------------------------------------------- refused, nothing kept


def _row_counts(database: Database) -> dict[str, int]:
    def count(session: Session) -> dict[str, int]:
        return {table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for table in Base.metadata.sorted_tables}
    return database.run_sync(count)


def test_missing_forged_and_replayed_signatures_are_refused_with_nothing_stored(
        database: Database) -> None:
    _prepare(database)
    with receiver(database) as client:
        before = _row_counts(database)

        @settings(FUZZ, max_examples=80)
        @given(meta_bodies | json_bodies, meta_bodies | json_bodies, st.data())
        def refused(raw: bytes, other: bytes, data: st.DataObject) -> None:
            if other == raw:
                other += b" "
            forged = data.draw(st.sampled_from([
                None,  # no header at all
                "",
                sign(raw, b"outro-segredo"),  # forged: signed with a secret that is not the app's
                sign(other, SECRET),  # replayed: a real header, from another body
                sign(raw, SECRET)[:-1],  # truncated
                sign(raw, SECRET).replace("sha256=", "sha1="),
                "sha256=" + "0" * 64,
                "sha256=" + "zz" * 32,
                ("sha256=" + "ã" * 64).encode(),  # not even ASCII
            ]), label="signature")
            response = _post(client, raw, forged)
            assert response.status_code in (401, 403), (response.status_code, forged)

        refused()
        assert _row_counts(database) == before
        # the receiver is fine and still stores what is validly signed
        _still_working(client, database)
