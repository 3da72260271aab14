"""The demo data generator: deterministic, realistic and internally consistent."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cobrador_desktop.domain.documents import is_valid_cnpj, is_valid_cpf
from cobrador_desktop.domain.phone import parse_phone, wa_id_matches
from cobrador_desktop.domain.template_pack import PACK
from cobrador_desktop.services.demo_data import (
    BENCH,
    DEMO,
    TABLE_ORDER,
    Chunk,
    DemoScale,
    generate,
)
from cobrador_desktop.services.passwords import DEMO_PASSWORD, verify_password

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
SMALL = DemoScale(debtors=60, debts_per_debtor_avg=3.0, messages_total=400)

Tables = dict[str, list[dict[str, Any]]]


def _tables(chunks: list[Chunk]) -> Tables:
    tables: Tables = defaultdict(list)
    for chunk in chunks:
        tables[chunk.table].extend(chunk.rows)
    return tables


@pytest.fixture(scope="module")
def demo() -> Tables:
    """The `demo` command's data set, generated once for this module."""
    return _tables(list(generate(DEMO, today=TODAY, now=NOW)))


def test_same_seed_gives_the_same_rows_and_another_seed_does_not() -> None:
    first = list(generate(SMALL, today=TODAY, seed=7))
    assert first == list(generate(SMALL, today=TODAY, seed=7))
    assert first != list(generate(SMALL, today=TODAY, seed=8))


def test_block_size_changes_memory_use_not_data() -> None:
    small_blocks = list(generate(SMALL, today=TODAY, chunk_debtors=7))
    one_block = list(generate(SMALL, today=TODAY, chunk_debtors=1000))
    assert max(len(c.rows) for c in small_blocks if c.table == "debtors") == 7
    assert _tables(small_blocks) == _tables(one_block)


def test_chunks_come_in_foreign_key_order_with_complete_rows() -> None:
    seen: list[str] = []
    for chunk in generate(SMALL, today=TODAY, chunk_debtors=20):
        keys = {frozenset(row) for row in chunk.rows}
        assert len(keys) == 1, f"{chunk.table}: rows with different columns"
        if chunk.table not in seen:
            seen.append(chunk.table)
    assert seen == list(TABLE_ORDER)


@pytest.mark.parametrize("scale", [SMALL, DemoScale(5, 1.0, 0), DemoScale(30, 4.5, 5)])
def test_promised_counts_are_exact(scale: DemoScale) -> None:
    tables = _tables(list(generate(scale, today=TODAY)))
    assert len(tables["debtors"]) == scale.debtors
    assert len(tables["debts"]) == scale.debts_total
    assert len(tables["messages"]) == scale.messages_total
    assert len(tables["conversations"]) == scale.conversations_total
    assert {d["debtor_id"] for d in tables["debts"]} == {d["id"] for d in tables["debtors"]}


def test_presets() -> None:
    assert (DEMO.debtors, DEMO.debts_total) == (300, 900)
    assert (BENCH.debtors, BENCH.debts_total, BENCH.messages_total) == (
        100_000, 300_000, 1_000_000)
    with pytest.raises(ValueError, match="invalid demo scale"):
        DemoScale(debtors=10, debts_per_debtor_avg=0.5, messages_total=0)


def test_every_document_is_valid_and_unique(demo: Tables) -> None:
    documents = [d for d in demo["debtors"] if d["document"] is not None]
    for debtor in documents:
        check = is_valid_cpf if debtor["document_type"] == "cpf" else is_valid_cnpj
        assert check(debtor["document"]), debtor
    assert len({d["document"] for d in documents}) == len(documents)
    without = len(demo["debtors"]) - len(documents)
    assert 3 <= without <= 30  # ~5%
    cnpjs = [d for d in documents if d["document_type"] == "cnpj"]
    assert any(not d["document"].isdigit() for d in cnpjs), "no alphanumeric CNPJ"
    assert any(d["document"].isdigit() for d in cnpjs)


def test_names_are_brazilian_with_accents_and_folded_keys(demo: Tables) -> None:
    names = [d["name"] for d in demo["debtors"]]
    assert any(ch in "ãáâéêíóôõúç" for name in names for ch in name.lower())
    assert any(name.endswith(("Ltda", "ME", "EPP")) for name in names)
    assert all(d["name_key"] == d["name_key"].lower() for d in demo["debtors"])
    assert len(set(names)) > 250


def test_phones_are_valid_e164_with_realistic_flags(demo: Tables) -> None:
    phones = {p["id"]: p for p in demo["phones"]}
    assert len({p["e164"] for p in phones.values()}) == len(phones)
    for phone in phones.values():
        parsed = parse_phone(phone["e164"])
        assert parsed.e164 == phone["e164"]
        assert parsed.kind.value == phone["kind"]
        if phone["wa_id"]:
            assert wa_id_matches(phone["wa_id"], phone["e164"])
        if phone["opt_in_source"]:
            assert phone["opt_in_source"] in ("Ficha de crediário assinada", "Checkbox no PDV")
            assert phone["opt_in_at"] is not None and phone["opt_in_wording"]
    kinds = Counter(p["kind"] for p in phones.values())
    assert kinds["mobile"] > kinds["landline"] > 0
    assert {p["whatsapp_status"] for p in phones.values()} == {"yes", "no", "unknown"}
    assert any(p["wa_id"] and len(p["wa_id"]) == 12 for p in phones.values()), \
        "no WhatsApp id without the 9th digit"
    assert any(p["opted_out"] and p["opted_out_at"] for p in phones.values())
    assert len({parse_phone(p["e164"]).uf for p in phones.values()}) > 10

    links = demo["debtor_phones"]
    owners = Counter(link["phone_id"] for link in links)
    assert any(n > 1 for n in owners.values()), "no number shared by two debtors"
    references = [link for link in links if link["role"] == "reference"]
    assert references and all(link["never_message"] for link in references)
    assert any(link["wrong_party"] and link["cpc_status"] == "denied" for link in links)
    assert len({(link["debtor_id"], link["phone_id"]) for link in links}) == len(links)


def test_payments_add_up_and_statuses_agree(demo: Tables) -> None:
    paid: Counter[int] = Counter()
    for payment in demo["payments"]:
        assert payment["amount_cents"] > 0
        assert payment["paid_on"] <= TODAY
        assert payment["method"] in ("pix", "dinheiro", "cartao", "boleto")
        paid[payment["debt_id"]] += payment["amount_cents"]
    for debt in demo["debts"]:
        assert debt["paid_cents"] == paid[debt["id"]], debt
        assert debt["amount_cents"] > 0
        if debt["status"] == "paid":
            assert debt["paid_cents"] == debt["amount_cents"]
        else:
            assert debt["paid_cents"] < debt["amount_cents"]
        if debt["status"] == "cancelled":
            assert debt["paid_cents"] == 0
    statuses = Counter(d["status"] for d in demo["debts"])
    assert statuses["open"] and statuses["paid"] and statuses["disputed"] and \
        statuses["cancelled"]
    assert any(0 < d["paid_cents"] < d["amount_cents"] for d in demo["debts"]), "no partial"


def test_due_dates_spread_from_eight_months_ago_to_six_ahead(demo: Tables) -> None:
    dues = [d["due_date"] for d in demo["debts"]]
    assert TODAY - timedelta(days=265) <= min(dues) <= TODAY - timedelta(days=200)
    assert TODAY + timedelta(days=120) <= max(dues) <= TODAY + timedelta(days=190)
    descriptions = [d["description"] for d in demo["debts"]]
    assert any(d.startswith("Parcela ") and "– Crediário (" in d for d in descriptions)
    assert any(d.startswith("Mensalidade escolar – ") for d in descriptions)
    external = [d["external_id"] for d in demo["debts"] if d["external_id"]]
    assert len(external) == len(set(external))
    for debt in demo["debts"]:
        assert debt["created_at"] <= NOW


def test_conversations_and_messages_are_consistent(demo: Tables) -> None:
    messages = demo["messages"]
    # a send whose answer was lost (`unknown`) never learned its WhatsApp id
    known = [m for m in messages if m["status"] != "unknown"]
    assert len({m["wamid"] for m in known}) == len(known)
    assert all(m["wamid"].startswith("wamid.DEMO") for m in known)
    assert all(m["wamid"] is None for m in messages if m["status"] == "unknown")
    by_conversation: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for message in messages:
        assert message["created_at"] <= NOW
        if message["direction"] == "in":
            assert message["status"] == "received"
        else:
            assert message["status"] in ("sent", "delivered", "read", "failed", "unknown")
            assert (message["status"] == "failed") == (message["error_code"] is not None)
        by_conversation[message["conversation_id"]].append(message)
    statuses = Counter(m["status"] for m in messages)
    assert all(statuses[s] for s in ("sent", "delivered", "read", "failed", "received",
                                     "unknown"))
    assert 131026 in {m["error_code"] for m in messages}
    assert {m["template_name"] for m in messages if m["type"] == "template"} <= \
        {t.name for t in PACK}

    phones = {p["id"]: p for p in demo["phones"]}
    debtors = {d["id"]: d for d in demo["debtors"]}
    for conversation in demo["conversations"]:
        rows = by_conversation[conversation["id"]]
        times = [m["created_at"] for m in rows]
        assert times == sorted(times)
        assert conversation["last_message_at"] == times[-1]
        inbound = [m["created_at"] for m in rows if m["direction"] == "in"]
        assert conversation["last_inbound_at"] == (inbound[-1] if inbound else None)
        assert debtors[conversation["debtor_id"]]["last_contact_at"] == times[-1]
        phone = phones[conversation["phone_id"]]
        assert phone["whatsapp_status"] == "yes"
        if phone["opted_out"]:
            assert rows[-2]["text"] == "Parar mensagens"
    assert len({c["phone_id"] for c in demo["conversations"]}) == len(demo["conversations"])


def test_the_template_pack_is_approved_and_names_the_shop(demo: Tables) -> None:
    templates = demo["templates"]
    assert [t["name"] for t in templates] == [
        "confirmacao_identidade_v1", "lembrete_vencimento_v1", "vencimento_hoje_v1",
        "parcela_em_atraso_v1", "lembrete_acordo_v1", "pagamento_recebido_v1",
        "pesquisa_satisfacao_v1", "oferta_quitacao_v1"]
    shop = demo["settings"][0]["value"]
    assert shop["name"] == "Loja Exemplo" and is_valid_cnpj(shop["cnpj"])
    # one Meta refused: the number's health shows a template not approved, with Meta's reason
    rejected = templates[-1]
    assert rejected["status"] == "REJECTED" and rejected["rejected_reason"]
    for template in templates:
        assert template["status"] == ("REJECTED" if template is rejected else "APPROVED")
        assert template["category"] == "UTILITY"
        assert template["purpose"]
        types = [c["type"] for c in template["components"]]
        assert types == ["BODY", "FOOTER", "BUTTONS"]
        body, footer = template["components"][0], template["components"][1]
        assert "Loja Exemplo" in body["text"] and "{{1}}" in body["text"]
        assert is_valid_cnpj(footer["text"].rsplit(" ", 1)[-1])
        labels = [b["text"] for b in template["components"][2]["buttons"]]
        assert labels[-1] == "Parar mensagens"  # every one offers to stop (COMPLIANCE.md §3)
        assert {b["type"] for b in template["components"][2]["buttons"]} == {"QUICK_REPLY"}
    operators = demo["operators"]
    assert operators[0]["name"] == "Rita (dona)" and operators[0]["role"] == "owner"
    assert [o["name"] for o in operators if o["role"] == "operator"][:2] == ["Ana", "Bruno"]
    # every account signs in with "demo", hashed once (argon2id) and never stored in clear
    hashes = {o["password_hash"] for o in operators}
    assert len(hashes) == 1 and next(iter(hashes)).startswith("$argon2id$")
    assert verify_password(next(iter(hashes)), DEMO_PASSWORD)


def test_name_particles_agree_with_the_surname() -> None:
    """"Ana dos Conceição" or "João das Brito" would give the demo away as fake."""
    from cobrador_desktop.services import demo_corpus
    from cobrador_desktop.services.demo_data import DemoScale, generate

    particles = {"de", "da", "do", "das", "dos"}
    names = [row["name"] for chunk in generate(DemoScale(400, 1.0, 0), today=date(2026, 11, 23))
             if chunk.table == "debtors" for row in chunk.rows
             if row["document_type"] == "cpf"]  # people; "Materiais de Construção" is a shop
    with_particle = 0
    for name in names:
        words = name.split()
        for i, word in enumerate(words[:-1]):
            if word in particles:
                with_particle += 1
                assert demo_corpus.PARTICLES.get(words[i + 1]) == word, name
    assert with_particle > 0
