"""How the Resultados screen words its figures (pt-BR source text, translated through Qt).

Percentages, days, the names of the breakdown keys (régua steps, templates, operators,
segments), the weeks of the chart and the warning lights' limits — decided here once, so the
screen, its tests and the exports of its tables say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QCoreApplication

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.results import (
    NONE_KEY,
    OPT_OUT_LIMITS,
    WRONG_PARTY_LIMITS,
    Funnel,
    Light,
    Period,
    Ratio,
    ResultsFigures,
)
from cobrador_desktop.ui.formatting import format_count, format_date
from cobrador_desktop.ui.viewmodels.regua_text import group_label

CONTEXT = "ResultsText"

#: the breakdown table's dimensions (`Breakdowns` attribute, the choice's label, the key
#: column's header), in the choice's order
DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("by_step", QT_TRANSLATE_NOOP("ResultsText", "Por etapa da régua"),
     QT_TRANSLATE_NOOP("ResultsText", "Etapa da régua")),
    ("by_template", QT_TRANSLATE_NOOP("ResultsText", "Por modelo"),
     QT_TRANSLATE_NOOP("ResultsText", "Modelo")),
    ("by_operator", QT_TRANSLATE_NOOP("ResultsText", "Por operador"),
     QT_TRANSLATE_NOOP("ResultsText", "Operador")),
    ("by_segment", QT_TRANSLATE_NOOP("ResultsText", "Por segmento"),
     QT_TRANSLATE_NOOP("ResultsText", "Segmento")),
)
#: the funnel's stages (`Funnel` attribute, label), widest first
STAGES: tuple[tuple[str, str], ...] = (
    ("sent", QT_TRANSLATE_NOOP("ResultsText", "Enviadas")),
    ("delivered", QT_TRANSLATE_NOOP("ResultsText", "Entregues")),
    ("read", QT_TRANSLATE_NOOP("ResultsText", "Lidas")),
    ("replied", QT_TRANSLATE_NOOP("ResultsText", "Respondidas")),
    ("paid", QT_TRANSLATE_NOOP("ResultsText", "Pagas")),
)
LIGHT_LABELS: dict[Light, str] = {
    Light.GREEN: QT_TRANSLATE_NOOP("ResultsText", "Normal"),
    Light.AMBER: QT_TRANSLATE_NOOP("ResultsText", "Atenção"),
    Light.RED: QT_TRANSLATE_NOOP("ResultsText", "Alto"),
}
_NONE_LABELS: dict[str, str] = {
    "by_step": QT_TRANSLATE_NOOP("ResultsText", "Sem etapa"),
    "by_template": QT_TRANSLATE_NOOP("ResultsText", "Texto livre"),
    "by_operator": QT_TRANSLATE_NOOP("ResultsText", "Automático"),
    "by_segment": QT_TRANSLATE_NOOP("ResultsText", "Sem segmento"),
}
_DAY_STEP = re.compile(r"^D([+-]\d+|0)$")
_CPC_STEP = re.compile(r"^CPC(\d+)$")


#: `translate("ResultsText", "…")` calls are what lupdate reads (a literal context)
translate = QCoreApplication.translate


def tr(source: str) -> str:
    """`source` translated under this module's context."""
    return QCoreApplication.translate(CONTEXT, source)


def percent_text(ratio: Ratio) -> str:
    """`33,3%`, or `—` when the share has no denominator (no data)."""
    value = ratio.percent
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + "%"


def of_text(ratio: Ratio) -> str:
    """`42 de 120`: the counts behind a share."""
    return translate("ResultsText", "{n} de {total}").format(
        n=format_count(ratio.numerator), total=format_count(ratio.denominator))


def days_text(days: float | None) -> str:
    """`1 dia`, `20 dias`, `12,5 dias`; `—` for none."""
    if days is None:
        return "—"
    if days == 1:
        return translate("ResultsText", "1 dia")
    shown = str(int(days)) if float(days).is_integer() else f"{days:.1f}".replace(".", ",")
    return translate("ResultsText", "{dias} dias").format(dias=shown)


def period_text(period: Period) -> str:
    """`01/11/2026 a 30/11/2026 (30 dias)`."""
    return translate("ResultsText", "{de} a {ate} ({dias} dias)").format(
        de=format_date(period.start), ate=format_date(period.end), dias=period.days)


def week_label(week: tuple[int, int]) -> str:
    """An ISO week by its Monday: `02/11`."""
    monday = date.fromisocalendar(week[0], week[1], 1)
    return f"{monday.day:02d}/{monday.month:02d}"


def weeks_of(period: Period) -> tuple[tuple[int, int], ...]:
    """Every ISO week the period touches, in order (the chart shows weeks without payments too)."""
    monday = period.start - timedelta(days=period.start.weekday())
    weeks = []
    while monday <= period.end:
        year, week, _ = monday.isocalendar()
        weeks.append((year, week))
        monday += timedelta(days=7)
    return tuple(weeks)


def weekly_cents(figures: ResultsFigures) -> tuple[tuple[tuple[int, int], int], ...]:
    """Cents recovered in each week of the period, weeks without payments as 0."""
    per_week = dict(figures.recovered_by_week)
    return tuple((week, per_week.get(week, 0)) for week in weeks_of(figures.period))


def step_label(key: str) -> str:
    """`D-3 · 3 dias antes`, `D0 · no vencimento`, `D+7 · 7 dias depois`, `CPC1 · identidade`;
    an unknown code as it is."""
    day = _DAY_STEP.match(key)
    if day:
        offset = int(day.group(1))
        if offset == 0:
            return f"{key} · " + translate("ResultsText", "no vencimento")
        what = (translate("ResultsText", "{n} dia(s) antes") if offset < 0
                else translate("ResultsText", "{n} dia(s) depois"))
        return f"{key} · " + what.format(n=abs(offset))
    if _CPC_STEP.match(key):
        return f"{key} · " + translate("ResultsText", "identidade")
    return key


def step_help(key: str) -> str:
    """What a step is, in full: `3 dia(s) antes do vencimento`, `2ª confirmação de identidade`."""
    day = _DAY_STEP.match(key)
    if day:
        offset = int(day.group(1))
        if offset == 0:
            return translate("ResultsText", "Lembrete no dia do vencimento")
        what = (translate("ResultsText", "Mensagem {n} dia(s) antes do vencimento") if offset < 0
                else translate("ResultsText", "Mensagem {n} dia(s) depois do vencimento"))
        return what.format(n=abs(offset))
    cpc = _CPC_STEP.match(key)
    if cpc:
        return translate("ResultsText",
                         "{n}ª tentativa de confirmar a identidade do devedor").format(n=cpc.group(1))
    if key == NONE_KEY:
        return translate("ResultsText",
                         "Mensagens que a régua não enviou: escritas por um operador ou de outros "
                  "avisos")
    return key


def key_label(dimension: str, key: str, operator_names: Mapping[int, str]) -> str:
    """A breakdown key for people: the step's name, the template's, the operator's, the
    segment's; what has none says so (`Sem etapa`, `Texto livre`, `Automático`,
    `Sem segmento`)."""
    if key == NONE_KEY:
        return tr(_NONE_LABELS[dimension])
    if dimension == "by_step":
        return step_label(key)
    if dimension == "by_operator":
        if key.isdigit() and int(key) in operator_names:
            return operator_names[int(key)]
        return translate("ResultsText", "Operador n.º {id}").format(id=key)
    if dimension == "by_segment":
        return group_label(key)
    return key


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """One line of the breakdown table."""

    label: str
    funnel: Funnel
    tooltip: str = ""

    @property
    def replied_rate(self) -> Ratio:
        return Ratio(self.funnel.replied, self.funnel.sent)

    @property
    def paid_rate(self) -> Ratio:
        return Ratio(self.funnel.paid, self.funnel.sent)


def breakdown_rows(figures: ResultsFigures, dimension: str,
                   operator_names: Mapping[int, str]) -> tuple[BreakdownRow, ...]:
    """The lines of one breakdown (`DIMENSIONS`), in the figures' order (most messages first)."""
    pairs: tuple[tuple[str, Funnel], ...] = getattr(figures.breakdowns, dimension)
    return tuple(BreakdownRow(key_label(dimension, key, operator_names), funnel,
                              step_help(key) if dimension == "by_step" else "")
                 for key, funnel in pairs)


def is_empty(figures: ResultsFigures) -> bool:
    """Nothing happened in the period: no payment, no message that left, no one contacted."""
    return (figures.recovered_cents == 0 and figures.funnel.sent == 0
            and figures.identity_confirmed.denominator == 0
            and figures.paid_after_reminder.denominator == 0
            and figures.opted_out.denominator == 0)


def _limit_percent(limit: tuple[int, int]) -> str:
    value = 100 * limit[0] / limit[1]
    shown = str(int(value)) if value.is_integer() else f"{value:.1f}".replace(".", ",")
    return shown + "%"


def limits_text(limits: tuple[tuple[int, int], tuple[int, int]]) -> str:
    """`Verde até 1%, amarelo até 2%, vermelho acima de 2%.`"""
    amber, red = (_limit_percent(limit) for limit in limits)
    return translate("ResultsText",
                     "Verde até {amarelo}, amarelo até {vermelho}, vermelho acima de {vermelho}.").format(
        amarelo=amber, vermelho=red)


def opt_out_help() -> str:
    """What the opt-out light counts and its limits."""
    return translate("ResultsText",
                     "Dos números que receberam mensagem no período, quantos pediram para não receber "
              "mais (“parar mensagens”) no período. Muitos pedidos levam a Meta a baixar a "
              "qualidade do número e limitar os envios. ") + limits_text(OPT_OUT_LIMITS)


def wrong_party_help() -> str:
    """What the wrong-party light counts and its limits."""
    return translate("ResultsText",
                     "Dos números que receberam mensagem no período, quantos alguém marcou como "
              "“não sou eu” (pessoa errada) no período. Cobrar quem não deve expõe a loja a "
              "reclamações: revise os telefones da planilha. ") + limits_text(WRONG_PARTY_LIMITS)
