"""The send guard's rules in detail: where the debtor is, holidays, next slots, severities by kind,
owner confirmations, the lint's data file, the floor for incomplete facts (COMPLIANCE.md §2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cobrador_desktop.domain import content_lint
from cobrador_desktop.domain.contact_hours import (
    ContactProfile,
    Slot,
    debtor_place,
    spread_over_first_hour,
    uf_zones,
)
from cobrador_desktop.domain.holidays_br import ALL_UFS, CustomHoliday
from cobrador_desktop.domain.policy import Decision, SendFacts, SendRequest, Severity, evaluate
from tests.unit.domain.policy_support import NOW, TEXT, debt, facts, history, request, sent


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def codes(decision: Decision) -> list[str]:
    return [r.code for r in decision.reasons]


# ------------------------------------------------------------------ where the debtor is


@pytest.mark.parametrize(("phone", "uf", "zones", "ufs"), [
    ("+5511987654321", None, ("America/Sao_Paulo",), ("SP",)),
    ("+5568999887766", None, ("America/Rio_Branco",), ("AC",)),
    ("+5592988776655", None, ("America/Manaus",), ("AM",)),
    ("+5597988776655", None, ("America/Manaus", "America/Eirunepe"), ("AM",)),
    ("+5581988776655", None, ("America/Recife", "America/Noronha"), ("PE",)),
    ("+5561988776655", None, ("America/Sao_Paulo",), ("DF", "GO")),
    ("+5563988776655", None, ("America/Araguaina",), ("TO",)),
    ("+5595988776655", None, ("America/Boa_Vista",), ("RR",)),
    ("+5569988776655", None, ("America/Porto_Velho",), ("RO",)),
    ("+5565988776655", None, ("America/Cuiaba",), ("MT",)),
    ("+5598988776655", None, ("America/Fortaleza",), ("MA",)),
    ("+5568999887766", "sp", ("America/Sao_Paulo",), ("SP",)),  # the address wins
    ("+5511987654321", "AM", ("America/Manaus", "America/Eirunepe"), ("AM",)),
])
def test_the_debtors_place_comes_from_the_address_else_the_area_code(
        phone: str, uf: str | None, zones: tuple[str, ...], ufs: tuple[str, ...]) -> None:
    place = debtor_place(address_uf=uf, phone_e164=phone)
    assert (place.zones, place.ufs) == (zones, ufs)


def test_an_unknown_place_is_all_of_brazil_and_a_foreign_number_the_shops_zone() -> None:
    unknown = debtor_place(address_uf=None, phone_e164=None)
    assert set(unknown.ufs) == set(ALL_UFS) == set(uf_zones())
    assert {"America/Noronha", "America/Rio_Branco", "America/Eirunepe"} <= set(unknown.zones)
    assert debtor_place(address_uf=None, phone_e164="garbage") == unknown
    assert debtor_place(address_uf=None, phone_e164="+14155552671") == unknown
    foreign = debtor_place(address_uf=None, phone_e164="+14155552671",
                           shop_zone="America/Sao_Paulo", shop_uf="SP")
    assert (foreign.zones, foreign.ufs) == (("America/Sao_Paulo",), ("SP",))


@pytest.mark.parametrize(("phone", "now", "allowed", "next_at"), [
    ("+5511987654321", utc(2026, 11, 23, 13, 30), True, None),  # 10:30 São Paulo
    ("+5568999887766", utc(2026, 11, 23, 13, 30), False, utc(2026, 11, 23, 14)),  # 08:30 Acre
    ("+5592988776655", utc(2026, 11, 23, 12, 30), False, utc(2026, 11, 23, 13)),  # 08:30 Manaus
    ("+5597988776655", utc(2026, 11, 23, 13, 30), False, utc(2026, 11, 23, 14)),  # Eirunepé
    ("+5581988776655", utc(2026, 11, 23, 20, 30), False, utc(2026, 11, 24, 12)),  # Noronha 18:30
    ("+5587988776655", utc(2026, 11, 23, 20, 30), True, None),  # inland Pernambuco, 17:30
])
def test_contact_hours_hold_in_every_zone_the_debtor_may_be_in(
        phone: str, now: datetime, allowed: bool, next_at: datetime | None) -> None:
    decision = evaluate(request(kind="automated"), facts(phone_e164=phone), now)
    assert decision.allowed is allowed
    assert decision.next_allowed_at == next_at
    if not allowed:
        assert codes(decision) == ["HOURS_OUTSIDE_WINDOW"]


def test_hours_messages_name_the_window_and_the_next_slot_in_local_time() -> None:
    friday_evening = utc(2026, 11, 27, 22, 0)  # 19:00 São Paulo
    decision = evaluate(request(kind="automated"), facts(), friday_evening)
    assert decision.reasons[0].message == (
        "Fora do horário permitido para cobrança (das 09:00 às 18:00, horário local do devedor). "
        "Próximo horário: 30/11/2026 09:00.")
    assert decision.next_allowed_at == utc(2026, 11, 30, 12)
    assert decision.next_allowed_until == utc(2026, 11, 30, 21)
    saturdays = facts(profile=ContactProfile(saturday_enabled=True))
    assert evaluate(request(kind="automated"), saturdays, friday_evening).next_allowed_at == utc(
        2026, 11, 28, 13)
    sunday = evaluate(request(), facts(), utc(2026, 11, 29, 15))
    assert sunday.reasons[0].message == "Não enviamos cobranças aos domingos. Próximo horário: " \
        "30/11/2026 09:00."


def test_the_optional_saturday_never_applies_where_the_state_has_none() -> None:
    saturday = utc(2026, 11, 28, 13, 30)  # 10:30
    profile = ContactProfile(saturday_enabled=True)
    assert evaluate(request(), facts(profile=profile), saturday).allowed
    rio = evaluate(request(), facts(profile=profile, debtor_uf="RJ"), saturday)
    assert codes(rio) == ["HOURS_DAY_NOT_ALLOWED"]


def test_the_state_law_profile_uses_only_verified_state_rules() -> None:
    evening = utc(2026, 11, 23, 22, 30)  # 19:30
    state_law = ContactProfile(contact_profile="state_law")
    assert evaluate(request(), facts(profile=state_law), evening).allowed  # SP: until 20:00
    espirito_santo = facts(profile=state_law, debtor_uf="ES")  # secondary source: default profile
    assert codes(evaluate(request(), espirito_santo, evening)) == ["HOURS_OUTSIDE_WINDOW"]


# ------------------------------------------------------------------ holidays


@pytest.mark.parametrize(("day", "uf", "optional", "blocked"), [
    (date(2026, 4, 3), "SP", True, True),  # Good Friday
    (date(2026, 11, 20), "SP", True, True),  # national since 2024
    (date(2023, 11, 20), "SP", True, False),  # not national in 2023, not an SP state day
    (date(2023, 11, 20), "RJ", True, True),  # an RJ state day
    (date(2026, 7, 9), "SP", True, True),  # SP only
    (date(2026, 7, 9), "RJ", True, False),
    (date(2026, 2, 17), "RJ", False, True),  # RJ state holiday
    (date(2026, 2, 17), "SP", True, True),  # Carnival: optional elsewhere, on by default
    (date(2026, 2, 17), "SP", False, False),  # the owner turned optional days off
    (date(2026, 10, 28), "SP", True, False),  # Public Servant's Day never blocks
    (date(2026, 12, 24), "SP", True, True),
])
def test_holidays_in_the_debtors_state(day: date, uf: str, optional: bool, blocked: bool) -> None:
    now = datetime(day.year, day.month, day.day, 14, tzinfo=UTC)  # 11:00, a weekday
    profile = ContactProfile(include_optional_holidays=optional)
    decision = evaluate(request(), facts(debtor_uf=uf, profile=profile), now)
    assert ("HOURS_HOLIDAY" in codes(decision)) is blocked


def test_the_holiday_message_and_the_owners_own_holidays() -> None:
    decision = evaluate(request(), facts(), utc(2026, 4, 3, 14))
    assert decision.reasons[0].message == (
        "Hoje é feriado em todo o Brasil (Sexta-feira Santa). Próximo horário: 06/04/2026 09:00.")
    city = CustomHoliday(date(2026, 11, 23), "Aniversário de Campinas", uf="SP",
                         municipality="Campinas")
    assert codes(evaluate(request(), facts(custom_holidays=(city,)), NOW)) == ["HOURS_HOLIDAY"]
    elsewhere = facts(custom_holidays=(city,), debtor_municipality="Santos")
    assert codes(evaluate(request(), facts(custom_holidays=(city,), debtor_uf="RJ"), NOW)) == []
    assert evaluate(request(), elsewhere, NOW).allowed is False  # municipality not yet applied
    # (the guard does not pass the municipality on yet: a municipal day holds statewide)


# ------------------------------------------------------------------ incomplete facts: the floor


@pytest.mark.parametrize(("now", "code"), [
    (utc(2026, 11, 24, 5), "HOURS_OUTSIDE_WINDOW"),  # 02:00 São Paulo
    (utc(2026, 11, 23, 12, 59), "HOURS_OUTSIDE_WINDOW"),  # 07:59 in Acre
    (utc(2026, 11, 23, 22, 0), "HOURS_OUTSIDE_WINDOW"),  # 20:00 in Fernando de Noronha
    (utc(2026, 11, 22, 15), "HOURS_DAY_NOT_ALLOWED"),  # Sunday
    (utc(2026, 11, 20, 15), "HOURS_HOLIDAY"),
    (utc(2026, 11, 23, 13, 0), None),  # 08:00 in Acre, Monday: the floor lets it through
    (utc(2026, 11, 28, 18, 0), None),  # Saturday 15:00: the floor has Saturdays
])
def test_incomplete_facts_still_hold_the_floor(now: datetime, code: str | None) -> None:
    decision = evaluate(SendRequest("business_initiated", "reminder", "template"), SendFacts(), now)
    assert codes(decision) == ([code] if code else [])
    if code:
        assert decision.next_allowed_at is not None and decision.next_allowed_at > now


def test_automated_messages_always_get_every_rule() -> None:
    decision = evaluate(SendRequest("automated", "reminder", "template", text=TEXT), SendFacts(),
                        utc(2026, 11, 23, 15))
    assert codes(decision) == ["OPTIN_MISSING", "PHONE_SHARED", "CPC_NOT_CONFIRMED",
                               "FACTS_MISSING"]
    assert decision.next_allowed_at is None
    assert decision.reasons[-1].message.startswith(
        "Não foi possível verificar esta mensagem: faltam dados (situação da dívida, mensagens "
        "enviadas recentemente, identificação da loja, situação do modelo na Meta, qualidade do "
        "número na Meta).")


@pytest.mark.parametrize(("changes", "missing"), [
    ({"history": None}, "mensagens enviadas recentemente"),
    ({"shop": None}, "identificação da loja"),
    ({"template": None}, "situação do modelo na Meta"),
])
def test_each_missing_group_blocks(changes: dict[str, Any], missing: str) -> None:
    decision = evaluate(request(), facts(**changes), NOW)
    assert codes(decision) == ["FACTS_MISSING"] and missing in decision.reasons[0].message


def test_an_unknown_number_quality_blocks_only_automated_messages() -> None:
    assert evaluate(request(), facts(number_quality=None), NOW).allowed
    assert codes(evaluate(request(kind="automated"), facts(number_quality=None), NOW)) == [
        "FACTS_MISSING"]


# ------------------------------------------------------------------ replies and system replies


def test_late_replies_keep_hours_and_system_replies_ignore_them() -> None:
    night = utc(2026, 11, 24, 1)  # 22:00
    reply = request(kind="reply", purpose="free_reply", message_type="text", text="Boa noite!")
    fresh = facts(last_inbound_at=night - timedelta(minutes=30))
    assert evaluate(reply, fresh, night).allowed
    late = facts(last_inbound_at=night - timedelta(hours=2))
    assert codes(evaluate(reply, late, night)) == ["HOURS_OUTSIDE_WINDOW"]
    system = request(kind="reply", purpose="system_reply", message_type="text",
                     text="Pronto. A Loja Exemplo não enviará mais mensagens para este número.")
    assert evaluate(system, late, night).allowed


# ------------------------------------------------------------------ severities and confirmations


def test_manual_and_automated_severities_differ() -> None:
    claimed = facts(debt=debt(payment_claimed_at=NOW))
    assert evaluate(request(), claimed, NOW).reasons[0].severity is Severity.WARN
    disputed = facts(debt=debt(status="disputed"))
    assert evaluate(request(kind="automated"), disputed, NOW).reasons[0].severity is Severity.BLOCK
    busy = facts(history=history(recent=(sent(1),)))
    manual = evaluate(request(), busy, NOW)
    assert codes(manual) == ["FREQ_DAILY_CAP"] and manual.allowed  # a WARN the operator notes
    low = facts(number_quality="RED")
    assert evaluate(request(), low, NOW).reasons[0].severity is Severity.WARN
    assert evaluate(request(), low, NOW).reasons[0].params == {"nivel": "vermelha"}


def test_caps_count_per_phone_too_and_ignore_replies_and_receipts() -> None:
    other_debtor = history(recent=(sent(1, same_debtor=False),))
    assert codes(evaluate(request(kind="automated"), facts(history=other_debtor), NOW)) == [
        "FREQ_DAILY_CAP"]
    uncounted = history(recent=(sent(1, kind="reply"), sent(2, purpose="payment_receipt"),
                                sent(3, purpose="system_reply")))
    assert evaluate(request(kind="automated"), facts(history=uncounted), NOW).allowed


def test_time_blocks_carry_the_next_slot_and_state_blocks_do_not() -> None:
    capped = facts(history=history(recent=(sent(1),)))
    decision = evaluate(request(kind="automated"), capped, NOW)
    assert decision.next_allowed_at == utc(2026, 11, 24, 12)  # tomorrow 09:00
    weekly = facts(history=history(recent=(sent(24), sent(48), sent(100))))
    assert evaluate(request(kind="automated"), weekly, NOW).next_allowed_at == utc(
        2026, 11, 26, 12)  # the oldest leaves the 7 days on Thursday 06:00; then 09:00
    paid_and_late = evaluate(request(kind="automated"), facts(debt=debt(status="paid")),
                             utc(2026, 11, 23, 23))
    assert codes(paid_and_late) == ["DEBT_PAID", "HOURS_OUTSIDE_WINDOW"]
    assert paid_and_late.next_allowed_at is None


def test_the_owner_confirms_what_may_be_confirmed_and_nothing_else() -> None:
    disputed = facts(debt=debt(status="disputed"))
    confirmed = evaluate(request(owner_confirmed=frozenset({"DEBT_DISPUTED"})), disputed, NOW)
    assert confirmed.allowed and confirmed.reasons[0].confirmed
    threat = request(kind="reply", purpose="free_reply", message_type="text",
                     text="Rua Delegado Pinto, ao lado da delegacia", owner_confirmed=frozenset(
                         {"LINT_THREAT", "PHONE_OPTED_OUT"}))
    in_window = facts(last_inbound_at=NOW - timedelta(minutes=5))
    assert evaluate(threat, in_window, NOW).allowed  # free text: the owner's override
    as_template = request(text=TEXT + " Fim da delegacia.", owner_confirmed=frozenset({"LINT_THREAT"}))
    assert not evaluate(as_template, facts(), NOW).allowed  # template hits cannot be overridden
    opted_out = facts(phone_opted_out=True)
    assert not evaluate(request(owner_confirmed=frozenset({"PHONE_OPTED_OUT"})), opted_out,
                        NOW).allowed
    old = facts(debt=debt(oldest_open_due=date(2020, 1, 1), prescription_confirmed_at=NOW))
    assert evaluate(request(), old, NOW).allowed


def test_old_debts_never_suggest_court_even_in_templates_and_rio_requires_items() -> None:
    old = facts(debt=debt(oldest_open_due=date(2020, 1, 1)))
    court = request(text=TEXT + " Evite a ação judicial.", owner_confirmed=frozenset(
        {"DEBT_OLD_NEEDS_OWNER"}))
    decision = evaluate(court, old, NOW)
    assert [(r.code, r.severity) for r in decision.blocking] == [
        ("LINT_LEGAL_CONSEQUENCE", Severity.BLOCK)]
    fined = debt(charges_cents={"fine": 300, "interest": 0})
    rio = evaluate(request(), facts(debt=fined, debtor_uf="RJ"), NOW)
    assert [(r.code, r.severity) for r in rio.reasons] == [("CONTENT_NOT_ITEMISED", Severity.BLOCK)]


def test_the_first_debt_detail_carries_the_legal_name() -> None:
    first = facts(history=history(debt_details_sent=False))
    assert codes(evaluate(request(), first, NOW)) == ["CONTENT_NO_SUPPLIER_ID"]
    legal = TEXT.replace("Loja Exemplo (", "Loja Exemplo Comércio Ltda (")
    assert evaluate(request(text=legal), first, NOW).allowed


def test_a_payment_receipt_goes_once_even_by_hand() -> None:
    receipt = request(purpose="payment_receipt", step="payment_receipt")
    paid = debt(status="paid", status_at=NOW - timedelta(hours=1))
    assert evaluate(receipt, facts(debt=paid), NOW).allowed
    again = facts(debt=paid, history=history(step_sent_at=NOW - timedelta(minutes=30)))
    assert codes(evaluate(receipt, again, NOW)) == ["FREQ_STEP_ALREADY_SENT"]


def test_decision_round_trips_with_its_slot_and_confirmations() -> None:
    decision = evaluate(request(kind="automated", owner_confirmed=frozenset(
        {"DEBT_OLD_NEEDS_OWNER"})), facts(debt=debt(oldest_open_due=date(2020, 1, 1))),
        utc(2026, 11, 23, 23))
    assert decision.next_allowed_at is not None and decision.reasons[0].confirmed
    assert Decision.from_json(decision.to_json()) == decision
    legacy = {"allowed": True, "reasons": [], "evaluated_at": None}  # rows stored before
    assert Decision.from_json(legacy) == Decision(True)


def test_spreading_over_the_first_hour_is_stable_and_inside_the_slot() -> None:
    slot = Slot(utc(2026, 11, 24, 12), utc(2026, 11, 24, 21))
    spread = [spread_over_first_hour(slot, str(n)) for n in range(50)]
    assert all(slot.start <= at < slot.start + timedelta(hours=1) for at in spread)
    assert len(set(spread)) > 40 and spread_over_first_hour(slot, "7") == spread[7]
    short = Slot(slot.start, slot.start + timedelta(minutes=20))
    assert all(short.start <= spread_over_first_hour(short, str(n)) < short.end for n in range(20))


# ------------------------------------------------------------------ the lint's data file


@pytest.mark.parametrize("rule", content_lint.rules(), ids=lambda r: r.pattern.pattern[:30])
def test_every_lint_rule_flags_its_examples_and_spares_its_counter_examples(
        rule: content_lint._Rule) -> None:
    assert rule.positive and rule.negative
    for example in rule.positive:
        assert rule.pattern.search(content_lint.normalize(example)), example
        assert rule.category in [h.code for h in content_lint.lint(example, free_text=True)]
    for example in rule.negative:
        assert not rule.pattern.search(content_lint.normalize(example)), example


def test_lint_normalises_and_quotes_the_original_words() -> None:
    assert content_lint.normalize("  CALOTEEEIRO\n c4l0t3ir0 Ação ") == "caloteiro caloteiro acao"
    hits = content_lint.lint("Pague, ou vai para a PRISÃO!", free_text=True)
    assert [(h.code, h.excerpt) for h in hits] == [("LINT_THREAT", "PRISÃO")]
    assert content_lint.lint("Nosso advogado", free_text=False) == []
    assert content_lint.is_shouting("Pague hoje!!!")
    assert not content_lint.is_shouting("PIX CPF CNPJ CB00001234P03 R$ 10,00 ok")
