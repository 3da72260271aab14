"""How the Régua screen words things (pt-BR source text, translated through Qt).

Steps (purpose, group, repetition, the whole régua on one line) and the preview (decisions and
reasons: the send guard's and the planner's skip codes carry their own pt-BR text, under the Qt
context "SendGuard"), decided here once and tested without building a screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QCoreApplication

from cobrador_desktop.domain import regua as rg
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.policy_messages import CONTEXT as GUARD_CONTEXT
from cobrador_desktop.domain.policy_messages import MESSAGES
from cobrador_desktop.domain.records import Segment
from cobrador_desktop.ui.models.debtor_table_model import SEGMENT_LABELS

CONTEXT = "ReguaText"

PURPOSE_LABELS: dict[str, str] = {
    rg.REMINDER: QT_TRANSLATE_NOOP("ReguaText", "Lembrete"),
    rg.OVERDUE: QT_TRANSLATE_NOOP("ReguaText", "Em atraso"),
    rg.AGREEMENT_INSTALLMENT: QT_TRANSLATE_NOOP("ReguaText", "Parcela de acordo"),
}
_GROUP_LABELS: dict[str, str] = {
    rg.ALL: QT_TRANSLATE_NOOP("ReguaText", "Todos"),
    rg.AGREEMENT: QT_TRANSLATE_NOOP("ReguaText", "Acordo"),
}
#: the groups a step may be for, in the order the choice lists them
GROUPS: tuple[str, ...] = (rg.ALL, *(s.value for s in Segment), rg.AGREEMENT)

#: the preview's decisions (`Plan.counts_by_decision` keys, plus the skipped), in screen order
ALLOWED, HELD, BLOCKED, SKIPPED = "allowed", "held", "blocked", "skipped"
DECISION_LABELS: dict[str, str] = {
    ALLOWED: QT_TRANSLATE_NOOP("ReguaText", "Vão sair"),
    HELD: QT_TRANSLATE_NOOP("ReguaText", "Adiadas para o próximo horário"),
    BLOCKED: QT_TRANSLATE_NOOP("ReguaText", "Bloqueadas"),
    SKIPPED: QT_TRANSLATE_NOOP("ReguaText", "Puladas"),
}


#: `translate("ReguaText", "…")` calls are what lupdate reads (a literal context)
translate = QCoreApplication.translate


def tr(source: str) -> str:
    """`source` translated under this module's context."""
    return QCoreApplication.translate(CONTEXT, source)


def purpose_label(purpose: str) -> str:
    """`Lembrete`, `Em atraso`, `Parcela de acordo` (the code itself when unknown)."""
    return tr(PURPOSE_LABELS[purpose]) if purpose in PURPOSE_LABELS else purpose


def group_label(segment: str) -> str:
    """`Todos`, `Acordo`, or the debtor list's name of a payment-history segment."""
    if segment in _GROUP_LABELS:
        return tr(_GROUP_LABELS[segment])
    if segment in Segment.__members__.values():
        return QCoreApplication.translate("DebtorTableModel", SEGMENT_LABELS[Segment(segment)])
    return segment


def repeat_text(step: rg.Step) -> str:
    """`a cada 15 dias até D+90`, or `—` for a step that does not repeat."""
    if step.repeat_every_days is None or step.repeat_until_days is None:
        return "—"
    return translate("ReguaText", "a cada {dias} dias até {ate}").format(
        dias=step.repeat_every_days, ate=rg.step_code(step.repeat_until_days))


def grace_text(days: int) -> str:
    """`1 dia`, `2 dias`."""
    if days == 1:
        return translate("ReguaText", "1 dia")
    return translate("ReguaText", "{dias} dias").format(dias=days)


def _step_token(step: rg.Step) -> str:
    offsets = step.offsets()
    token = step.code
    if len(offsets) > 1:
        token = translate("ReguaText", "{primeiro}…{ultimo} a cada {dias}").format(
            primeiro=step.code, ultimo=rg.step_code(offsets[-1]), dias=step.repeat_every_days)
    if step.segment not in (rg.ALL, rg.AGREEMENT):
        token += f" ({group_label(step.segment)})"
    return token


def timeline_text(steps: Iterable[rg.Step]) -> str:
    """The active steps on one line per kind of debt, by day.

    `D-3 · D0 · D+1 · D+7 · D+15…D+90 a cada 15` and, under it, `Acordos: D-2 · D+1`.
    """
    active = sorted((s for s in steps if s.active), key=lambda s: s.offset_days)
    debts = [_step_token(s) for s in active if s.segment != rg.AGREEMENT]
    deals = [_step_token(s) for s in active if s.segment == rg.AGREEMENT]
    lines = [translate("ReguaText", "Parcelas: {etapas}").format(etapas=" · ".join(debts)) if debts
             else translate("ReguaText", "Parcelas: nenhum lembrete automático")]
    if deals:
        lines.append(translate("ReguaText", "Acordos: {etapas}").format(etapas=" · ".join(deals)))
    return "\n".join(lines)


def reason_text(message_pt: str, params: Mapping[str, str] | None = None) -> str:
    """A send-guard or skip reason's pt-BR source text, translated, `{params}` filled (left as
    they are when None)."""
    text = QCoreApplication.translate(GUARD_CONTEXT, message_pt)
    if params is None:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def reason_summary(message_pt: str, samples: Iterable[Mapping[str, str]]) -> str:
    """The message for a count of messages sharing a reason: filled when they all share the same
    details (`Fora do horário … Próximo horário: 25/11 09:00`), with `…` for the details that
    differ between them (`Há promessa de pagamento para …`)."""
    merged: dict[str, str] = {}
    for params in samples:
        for key, value in params.items():
            if merged.setdefault(key, value) != value:
                merged[key] = "…"

    class _Blank(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "…"

    text = QCoreApplication.translate(GUARD_CONTEXT, message_pt)
    try:
        return text.format_map(_Blank(merged))
    except (IndexError, ValueError):
        return text


def reason_source(code: str, message_pt: str) -> str:
    """The reason's source text: its own, else the guard's text for the code, else the code."""
    return message_pt or MESSAGES.get(code, code)
