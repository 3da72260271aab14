"""How the Régua page words steps, the whole régua, reasons and masked phones."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from cobrador_desktop.domain.policy_messages import MESSAGES
from cobrador_desktop.domain.regua import (
    AGREEMENT,
    AGREEMENT_INSTALLMENT,
    DEFAULT_REGUA,
    OVERDUE,
    REMINDER,
    Step,
)
from cobrador_desktop.ui.formatting import format_phone_masked
from cobrador_desktop.ui.models.regua_steps_model import ReguaStepsModel, StepColumn
from cobrador_desktop.ui.viewmodels.regua_text import (
    group_label,
    reason_summary,
    repeat_text,
    timeline_text,
)


def test_the_regua_on_one_line_per_kind_of_debt() -> None:
    assert timeline_text(DEFAULT_REGUA.steps) == (
        "Parcelas: D-3 · D0 · D+1 · D+7 · D+15…D+90 a cada 15\nAcordos: D-2 · D+1")
    steps = (Step(10, OVERDUE, "a", segment="never_replied", repeat_every_days=10,
                  repeat_until_days=30),
             Step(-1, REMINDER, "b", active=False),
             Step(3, AGREEMENT_INSTALLMENT, "c", segment=AGREEMENT, active=False))
    assert timeline_text(steps) == "Parcelas: D+10…D+30 a cada 10 (Nunca respondeu)"
    assert timeline_text(()) == "Parcelas: nenhum lembrete automático"


def test_steps_and_groups_in_portuguese() -> None:
    assert repeat_text(DEFAULT_REGUA.steps[4]) == "a cada 15 dias até D+90"
    assert repeat_text(DEFAULT_REGUA.steps[0]) == "—"
    assert [group_label(g) for g in ("*", "acordo", "always_late", "on_time")] == [
        "Todos", "Acordo", "Atrasa sempre", "Em dia"]


def test_a_count_of_reasons_names_only_the_details_they_share() -> None:
    hours = MESSAGES["HOURS_OUTSIDE_WINDOW"]
    same = {"janela": "das 09:00 às 18:00", "proximo": "07/12/2026 09:00"}
    assert reason_summary(hours, [same, same]) == (
        "Fora do horário permitido para cobrança (das 09:00 às 18:00, horário local do devedor). "
        "Próximo horário: 07/12/2026 09:00.")
    other = {**same, "proximo": "07/12/2026 10:00"}
    assert reason_summary(hours, [same, other]).endswith("Próximo horário: ….")
    assert reason_summary(MESSAGES["DEBT_PAID"], []) == (
        "Esta dívida foi quitada em …. Cobrança bloqueada.")


def test_phones_are_masked_but_recognisable() -> None:
    assert format_phone_masked("+5511987654321") == "(11) *****-4321"
    assert format_phone_masked("+551133334444") == "(11) ****-4444"
    assert format_phone_masked(None) == ""


def test_the_steps_model_keeps_qt_rules_while_edited(qtmodeltester: ModelTester) -> None:
    model = ReguaStepsModel()
    model.set_steps(DEFAULT_REGUA.steps)
    qtmodeltester.check(model, force_py=False)  # type: ignore[no-untyped-call]
    model.insert(2, Step(2, OVERDUE, "x"))
    assert model.move(2, 1) == 3 and model.move(0, -1) == 0
    model.remove(3)
    assert model.steps() == DEFAULT_REGUA.steps
    index = model.index(0, StepColumn.ACTIVE)
    assert model.setData(index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert not model.step(0).active
    assert model.index(0, StepColumn.DAY).data(Qt.ItemDataRole.ToolTipRole) == "Envios: D-3"
    assert model.index(4, StepColumn.DAY).data(Qt.ItemDataRole.ToolTipRole) == (
        "Envios: D+15, D+30, D+45, D+60, D+75, D+90")
    qtmodeltester.check(model, force_py=False)  # type: ignore[no-untyped-call]
