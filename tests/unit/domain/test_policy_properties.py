"""Properties of the send guard over any combination of facts (hypothesis).

Whatever the facts say — complete or not, any profile, any confirmations by the owner — a
business-initiated or automated message never goes out:
- at night (before 08:00 or from 20:00), on a Sunday or on a national holiday in the debtor's
  local time (for every zone the debtor may be in);
- to an opted-out number, a wrong party or a reference contact;
- twice for the same (debt, régua step).
System replies (opt-out and wrong-party confirmations) answer the person's own message and are
left out, as COMPLIANCE.md §2.2 says.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cobrador_desktop.domain.contact_hours import ContactProfile, debtor_place
from cobrador_desktop.domain.policy import MESSAGES, SendFacts, SendRequest, evaluate
from tests.unit.domain.policy_support import IDENTITY_TEXT, SHOP, TEXT, debt, history, sent, template

PHONES = [None, "+5511987654321", "+5568999887766", "+5592988776655", "+5597988776655",
          "+5581988776655", "+5561988776655", "+5565988776655", "+5563988776655",
          "+14155552671", "not a phone"]
UFS = [None, "SP", "AC", "AM", "PE", "RJ", "DF", "MT", "XX"]
PURPOSES = ["identity_check", "reminder", "overdue", "agreement_installment", "negotiation",
            "payment_receipt", "free_reply"]
TEXTS = [TEXT, IDENTITY_TEXT, "", "Oi, Maria", "PAGUE HOJE!!!", "Sua parcela de R$ 10,00"]
STATUSES = ["open", "paid", "cancelled", "disputed", "agreement"]

instants = st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(UTC))
profiles = st.builds(
    ContactProfile, contact_profile=st.sampled_from(["default", "state_law"]),
    saturday_enabled=st.booleans(), include_optional_holidays=st.booleans(),
    daily_cap=st.integers(0, 5), weekly_cap=st.integers(0, 10), min_gap_hours=st.integers(0, 72),
    reply_grace_minutes=st.integers(0, 180))
debts = st.none() | st.builds(
    lambda status, claimed, old: debt(status=status, payment_claimed_at=claimed,
                                      oldest_open_due=old),
    st.sampled_from(STATUSES), st.none() | instants, st.none() | st.dates())
histories = st.none() | st.builds(
    lambda hours, step_at, waiting: history(recent=tuple(sent(h) for h in hours),
                                            step_sent_at=step_at, reply_waiting=waiting),
    st.lists(st.floats(0, 200), max_size=4), st.none() | instants, st.booleans())


@st.composite
def facts(draw: st.DrawFn) -> SendFacts:
    return SendFacts(
        last_inbound_at=draw(st.none() | instants),
        phone_opted_out=draw(st.booleans()), phone_suppressed=draw(st.booleans()),
        wrong_party=draw(st.booleans()), reference_contact=draw(st.booleans()),
        complete=draw(st.booleans()), debtor_uf=draw(st.sampled_from(UFS)),
        phone_e164=draw(st.sampled_from(PHONES)),
        shop_zone=draw(st.sampled_from([None, "America/Sao_Paulo", "Europe/Lisbon"])),
        profile=draw(profiles), optin_at=draw(st.none() | instants),
        cpc_state=draw(st.sampled_from([None, "unverified", "confirmed"])),
        phone_shared=draw(st.sampled_from([None, True, False])), debt=draw(debts),
        history=draw(histories), shop=draw(st.sampled_from([None, SHOP])),
        template=draw(st.none() | st.builds(template, status=st.sampled_from(
            ["APPROVED", "PAUSED"]))),
        number_quality=draw(st.sampled_from([None, "GREEN", "YELLOW", "UNKNOWN"])))


requests = st.builds(
    SendRequest, kind=st.sampled_from(["business_initiated", "automated"]),
    purpose=st.sampled_from(PURPOSES),
    message_type=st.sampled_from(["template", "text", "interactive"]),
    text=st.sampled_from(TEXTS), step=st.sampled_from([None, "D-3", "D+7"]),
    reveals_debt=st.booleans(),
    owner_confirmed=st.frozensets(st.sampled_from(sorted(MESSAGES))))

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def no_contact_time(local: datetime) -> bool:
    national = holidays.country_holidays("BR", years=local.year)
    return (local.hour < 8 or local.hour >= 20 or local.isoweekday() == 7
            or local.date() in national)


@SETTINGS
@given(request=requests, facts=facts(), now=instants, pick=st.integers(0, 40))
def test_never_at_night_on_sundays_or_national_holidays(request: SendRequest, facts: SendFacts,
                                                        now: datetime, pick: int) -> None:
    place = debtor_place(address_uf=facts.debtor_uf, phone_e164=facts.phone_e164,
                         shop_zone=facts.shop_zone)
    zone = place.zones[pick % len(place.zones)]  # wherever the debtor really is
    decision = evaluate(request, facts, now)
    if no_contact_time(now.astimezone(ZoneInfo(zone))):
        assert not decision.allowed
        assert any(r.code.startswith("HOURS_") for r in decision.blocking)


@SETTINGS
@given(request=requests, facts=facts(), now=instants)
def test_never_to_opted_out_wrong_party_or_reference_numbers(
        request: SendRequest, facts: SendFacts, now: datetime) -> None:
    decision = evaluate(request, facts, now)
    blocking = {r.code for r in decision.blocking}
    if facts.phone_opted_out:
        assert "PHONE_OPTED_OUT" in blocking
    if facts.wrong_party:
        assert "PHONE_WRONG_PARTY" in blocking
    if facts.reference_contact:
        assert "PHONE_REFERENCE_CONTACT" in blocking


@SETTINGS
@given(request=requests, facts=facts(), now=instants)
def test_a_debt_step_goes_out_at_most_once(request: SendRequest, facts: SendFacts,
                                           now: datetime) -> None:
    decision = evaluate(request, facts, now)
    blocking = {r.code for r in decision.blocking}
    if request.kind == "automated" and request.step is not None:
        if facts.history is None:
            assert "FACTS_MISSING" in blocking
        elif facts.history.step_sent_at is not None:
            assert "FREQ_STEP_ALREADY_SENT" in blocking


@SETTINGS
@given(request=requests, facts=facts(), now=instants)
def test_every_reason_reads_in_full(request: SendRequest, facts: SendFacts,
                                    now: datetime) -> None:
    """Every reason's message has all its `{params}`, and a time block says when to retry."""
    decision = evaluate(request, facts, now)
    for reason in decision.reasons:
        assert "{" not in reason.message, reason.code
    if decision.next_allowed_at is not None:
        assert not decision.allowed and decision.next_allowed_at >= now
        assert decision.next_allowed_until is not None
        assert decision.next_allowed_until > decision.next_allowed_at
        assert decision.next_allowed_at - now < timedelta(days=41)
