"""The régua's rules: codes, repeats, which steps apply, one step a day, catch-up and checks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cobrador_desktop.domain.regua import (
    AGREEMENT,
    AGREEMENT_INSTALLMENT,
    DEFAULT_REGUA,
    GRACE_PASSED,
    OVERDUE,
    REMINDER,
    SUPERSEDED,
    Regua,
    ReguaInvalid,
    Step,
    step_code,
)

DUE = date(2026, 12, 10)


def test_codes_and_repeats() -> None:
    assert [step_code(n) for n in (-3, 0, 7)] == ["D-3", "D0", "D+7"]
    step = Step(15, OVERDUE, "t", repeat_every_days=15, repeat_until_days=90)
    assert step.offsets() == (15, 30, 45, 60, 75, 90)
    assert Step(15, OVERDUE, "t", repeat_every_days=20, repeat_until_days=50).offsets() == (
        15, 35)


def test_the_default_regua_is_valid_and_plans_each_day() -> None:
    regua = DEFAULT_REGUA.check()
    got = {}
    for offset in range(-5, 100):
        today = DUE + timedelta(days=offset)
        plan = regua.plan_day(DUE, "sometimes_late", today, is_agreement=False)
        if plan.send is not None and plan.send.day == today:
            got[offset] = plan.send.code
    assert got == {-3: "D-3", 0: "D0", 1: "D+1", 7: "D+7", 15: "D+15", 30: "D+30", 45: "D+45",
                   60: "D+60", 75: "D+75", 90: "D+90"}


def test_segments_and_agreements_choose_their_steps() -> None:
    regua = Regua((Step(-3, REMINDER, "a"), Step(5, OVERDUE, "late", segment="always_late"),
                   Step(-2, AGREEMENT_INSTALLMENT, "acordo", segment=AGREEMENT)))
    codes = {o.code for o in regua.occurrences(DUE, "always_late", is_agreement=False)}
    assert codes == {"D-3", "D+5"}
    assert {o.code for o in regua.occurrences(DUE, "on_time", is_agreement=False)} == {"D-3"}
    assert [o.step.template for o in regua.occurrences(DUE, "on_time", is_agreement=True)] == [
        "acordo"]


def test_done_steps_are_never_planned_again() -> None:
    plan = DEFAULT_REGUA.plan_day(DUE, "*", DUE, is_agreement=False, done={"D0"})
    assert plan.send is None


def test_catch_up_sends_within_grace_and_skips_the_rest() -> None:
    # the PC was off from D-4 to D+8: D+7 is within its 2 days of grace, D-3, D0 and D+1 are not
    today = DUE + timedelta(days=8)
    plan = DEFAULT_REGUA.plan_day(DUE, "*", today, is_agreement=False,
                                  since=DUE - timedelta(days=4))
    assert plan.send is not None and plan.send.code == "D+7"
    assert [(o.code, why) for o, why in plan.skipped] == [
        ("D-3", GRACE_PASSED), ("D0", GRACE_PASSED), ("D+1", GRACE_PASSED)]


def test_two_steps_in_grace_send_only_the_newest() -> None:
    regua = Regua((Step(0, REMINDER, "a", grace_days=3), Step(2, OVERDUE, "b")))
    plan = regua.plan_day(DUE, "*", DUE + timedelta(days=2), is_agreement=False)
    assert plan.send is not None and plan.send.code == "D+2"
    assert [(o.code, why) for o, why in plan.skipped] == [("D0", SUPERSEDED)]


def test_an_inactive_step_never_plans() -> None:
    regua = Regua((Step(0, REMINDER, "a", active=False),))
    assert regua.plan_day(DUE, "*", DUE, is_agreement=False).send is None
    assert regua.due_window(DUE) is None


def test_the_due_window_covers_every_occurrence_with_its_grace() -> None:
    today = date(2026, 12, 20)
    first, last = DEFAULT_REGUA.due_window(today) or (None, None)
    assert first == today - timedelta(days=92) and last == today + timedelta(days=3)
    for due in (first, last):
        assert due is not None
        assert any(today - timedelta(days=o.step.grace_days) <= o.day <= today
                   for o in DEFAULT_REGUA.occurrences(due, "*", is_agreement=False))


@pytest.mark.parametrize(("step", "words"), [
    (Step(3, REMINDER, "t"), "antes do vencimento"),
    (Step(0, OVERDUE, "t"), "depois do vencimento"),
    (Step(1, AGREEMENT_INSTALLMENT, "t"), "acordo"),
    (Step(1, OVERDUE, " "), "modelo"),
    (Step(1, OVERDUE, "t", repeat_every_days=5), "até quando"),
    (Step(10, OVERDUE, "t", repeat_every_days=5, repeat_until_days=5), "termina depois"),
    (Step(400, OVERDUE, "t"), "fora de"),
    (Step(1, "marketing", "t"), "finalidade"),
])
def test_a_wrong_step_is_refused_with_its_reason(step: Step, words: str) -> None:
    with pytest.raises(ReguaInvalid) as info:
        Regua((Step(-3, REMINDER, "ok"), step)).check()
    assert "etapa 2" in info.value.params["problem"]
    assert words in info.value.params["problem"]


def test_two_steps_sending_the_same_day_are_refused() -> None:
    regua = Regua((Step(15, OVERDUE, "t", repeat_every_days=15, repeat_until_days=60),
                   Step(30, OVERDUE, "u")))
    with pytest.raises(ReguaInvalid) as info:
        regua.check()
    assert "D+30" in info.value.params["problem"]
    # another segment may have its own D+30
    Regua((Step(15, OVERDUE, "t", repeat_every_days=15, repeat_until_days=60),
           Step(30, OVERDUE, "u", segment="always_late"))).check()
