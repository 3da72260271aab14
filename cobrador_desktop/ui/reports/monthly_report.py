"""The owner's monthly report as a PDF: "Relatório de cobrança — novembro de 2026".

Laid out with `ui.pdf` from `services.monthly_report.MonthlyReport`: who the shop is, the month's
summary (each percentage with the counts behind it), what came in per week, the funnel of the
messages, the funnel by régua step, template and operator, what WhatsApp cost, the survey, and
the number's warning lights in words. The wording of the figures is the Resultados screen's
(`ui.viewmodels.results_text`), so the report and the screen say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication

from cobrador_desktop.domain.pricing import CATEGORY_NAMES
from cobrador_desktop.domain.results import Funnel, Ratio, ResultsFigures
from cobrador_desktop.domain.satisfaction import SatisfactionOverTime
from cobrador_desktop.domain.settings import ShopDetails
from cobrador_desktop.services.monthly_report import MonthlyReport
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.models.message_list_model import MONTHS
from cobrador_desktop.ui.pdf import HtmlDoc, write_pdf
from cobrador_desktop.ui.viewmodels import results_text as words

__all__ = ["build_monthly_report", "month_label", "save_monthly_report"]

# lupdate collects `translate("MonthlyReport", "literal")` calls by this name
translate = QCoreApplication.translate


def month_label(month: date) -> str:
    """`novembro de 2026`."""
    return translate("MonthlyReport", "{month} de {year}").format(
        month=translate("MessageListModel", MONTHS[month.month - 1]), year=month.year)


def save_monthly_report(path: Path, record: MonthlyReport) -> None:
    """Write `record` to `path` as an A4 PDF (whole or not at all). Blocking: the GUI calls it
    on a worker thread.

    Raises:
        ExportFailed: the file could not be written.
    """
    write_pdf(path, build_monthly_report(record))


def build_monthly_report(record: MonthlyReport) -> HtmlDoc:
    """The report's document, section by section."""
    f = record.figures
    doc = HtmlDoc(translate("MonthlyReport", "Relatório de cobrança — {month}").format(
        month=month_label(record.month)))
    doc.paragraph(_shop_line(record.shop))
    days = words.period_text(record.period)
    if record.partial:
        days += " · " + translate("MonthlyReport", "mês em andamento: conta até {day}").format(
            day=fmt.format_date(record.period.end))
    doc.paragraph(translate("MonthlyReport", "Período: {days}. Gerado em {when}.").format(
        days=days, when=fmt.format_datetime(record.generated_at, ZoneInfo(record.zone))), muted=True)
    if words.is_empty(f):
        doc.paragraph(translate(
            "MonthlyReport", "Nenhum pagamento, nenhuma mensagem enviada e ninguém contatado "
            "neste mês: não há o que resumir."))
    _summary(doc, record)
    _weeks(doc, f)
    _funnel(doc, f.funnel)
    if f.funnel.sent:  # else the funnel said no message left
        _breakdowns(doc, record)
    _costs(doc, record)
    _survey(doc, record.satisfaction)
    _lights(doc, f)
    doc.paragraph(translate(
        "MonthlyReport", "Como se conta: “recuperado” soma os pagamentos registrados com data "
        "no período; uma mensagem “paga” é seguida de pagamento do devedor em até 7 dias; "
        "“respondida”, de resposta na conversa em até 7 dias. Os custos usam a tabela de preços "
        "da Meta em vigor no dia de cada mensagem (Resultados › Custos)."), muted=True)
    return doc


def _shop_line(shop: ShopDetails | None) -> str:
    if shop is None:
        return translate("MonthlyReport",
                         "Loja: identificação não cadastrada (Configurações › Loja).")
    # the shop's own CNPJ is public (CDC art. 42-A): shown whole
    name = shop.trade_name if shop.legal_name == shop.trade_name else translate(
        "MonthlyReport", "{trade} — {legal}").format(trade=shop.trade_name, legal=shop.legal_name)
    return translate("MonthlyReport", "{name} · CNPJ {document} · {address}").format(
        name=name, document=fmt.format_document(shop.document) or shop.document,
        address=shop.address)


def _share(ratio: Ratio) -> str:
    """`33,3% (1 de 3)`, or `—` with no data."""
    if not ratio.denominator:
        return "—"
    return f"{words.percent_text(ratio)} ({words.of_text(ratio)})"


def _money_share(ratio: Ratio) -> str:
    """`21,4% (R$ 30,00 de R$ 140,00)`: a share of amounts."""
    if not ratio.denominator:
        return "—"
    return translate("MonthlyReport", "{percent} ({part} de {whole})").format(
        percent=words.percent_text(ratio), part=fmt.format_brl(ratio.numerator),
        whole=fmt.format_brl(ratio.denominator))


def _summary(doc: HtmlDoc, record: MonthlyReport) -> None:
    f = record.figures
    days = f.days_to_pay
    waited = "—" if days.count == 0 else translate(
        "MonthlyReport", "média {mean}, mediana {median} ({n} devedor(es))").format(
        mean=words.days_text(days.mean), median=words.days_text(days.median),
        n=fmt.format_count(days.count))
    doc.heading(translate("MonthlyReport", "Resumo do mês"))
    doc.fields([
        (translate("MonthlyReport", "Recuperado no mês"), fmt.format_brl(f.recovered_cents)),
        (translate("MonthlyReport", "Do valor vencido no início do mês, recuperado"),
         _money_share(f.overdue_recovered)),
        (translate("MonthlyReport", "Da primeira mensagem ao pagamento"), waited),
        (translate("MonthlyReport", "Devedores contatados que responderam"), _share(f.response)),
        (translate("MonthlyReport", "Contatos com identidade confirmada"), _share(f.identity_confirmed)),
        (translate("MonthlyReport", "Lembrados que pagaram em até 7 dias"), _share(f.paid_after_reminder)),
        (translate("MonthlyReport", "Gasto com WhatsApp no mês"), fmt.format_brl(record.spend.cents)),
    ])


def _weeks(doc: HtmlDoc, f: ResultsFigures) -> None:
    doc.heading(translate("MonthlyReport", "Recuperado por semana"))
    if not f.recovered_cents:
        doc.paragraph(translate("MonthlyReport", "Nenhum pagamento registrado no mês."), muted=True)
        return
    rows: list[Sequence[object]] = []
    for (year, week), cents in words.weekly_cents(f):
        monday = date.fromisocalendar(year, week, 1)  # the week's days inside the month
        first, last = max(monday, f.period.start), min(monday + timedelta(days=6), f.period.end)
        rows.append((translate("MonthlyReport", "{first} a {last}").format(
            first=f"{first.day:02d}/{first.month:02d}", last=f"{last.day:02d}/{last.month:02d}"),
            fmt.format_brl(cents)))
    rows.append((translate("MonthlyReport", "Total do mês"), fmt.format_brl(f.recovered_cents)))
    doc.table([translate("MonthlyReport", "Semana"), translate("MonthlyReport", "Recuperado")],
              rows)


def _stage_headers() -> list[str]:
    return [words.tr(label) for _, label in words.STAGES]


def _funnel_counts(funnel: Funnel) -> list[str]:
    return [fmt.format_count(getattr(funnel, stage)) for stage, _ in words.STAGES]


def _funnel(doc: HtmlDoc, funnel: Funnel) -> None:
    doc.heading(translate("MonthlyReport", "Funil das mensagens"))
    if not funnel.sent:
        doc.paragraph(translate("MonthlyReport", "Nenhuma mensagem enviada no mês."), muted=True)
        return
    doc.table([translate("MonthlyReport", "Etapa do funil"),
               translate("MonthlyReport", "Mensagens"),
               translate("MonthlyReport", "Das enviadas")],
              [(words.tr(label), fmt.format_count(getattr(funnel, stage)),
                words.percent_text(Ratio(getattr(funnel, stage), funnel.sent)))
               for stage, label in words.STAGES])


def _breakdowns(doc: HtmlDoc, record: MonthlyReport) -> None:
    paid = translate("MonthlyReport", "Pagas / enviadas")
    for dimension, title, column in words.DIMENSIONS:
        if dimension == "by_segment":
            continue  # the screen shows it; the owner's month is read by step, template and who
        doc.heading(words.tr(title))
        doc.table([words.tr(column), *_stage_headers(), paid],
                  [(row.label, *_funnel_counts(row.funnel), _share(row.paid_rate))
                   for row in words.breakdown_rows(record.figures, dimension,
                                                   record.operator_names)])


def _costs(doc: HtmlDoc, record: MonthlyReport) -> None:
    doc.heading(translate("MonthlyReport", "Custo das mensagens"))
    per_hundred = record.cost_per_real.cents_per_hundred_reais
    doc.fields([
        (translate("MonthlyReport", "Gasto no mês"),
         translate("MonthlyReport", "{amount} ({n} mensagem(ns) cobrada(s))").format(
             amount=fmt.format_brl(record.spend.cents),
             n=fmt.format_count(record.spend.messages))),
        (translate("MonthlyReport", "Custo para cada R$ 100,00 recuperados"),
         "—" if per_hundred is None else fmt.format_brl(per_hundred)),
    ])
    doc.table([translate("MonthlyReport", "Modelo"), translate("MonthlyReport", "Categoria"),
               translate("MonthlyReport", "Mensagens"), translate("MonthlyReport", "Custo")],
              [(spent.template or words.tr("Texto livre"),
                translate("Pricing", CATEGORY_NAMES[spent.category]),
                fmt.format_count(spent.messages), fmt.format_brl(spent.cents))
               for spent in record.by_template],
              empty=translate("MonthlyReport", "Nenhuma mensagem cobrada no mês."))


def _survey(doc: HtmlDoc, survey: SatisfactionOverTime | None) -> None:
    if survey is None:
        return
    doc.heading(translate("MonthlyReport", "Pesquisa de satisfação"))
    if survey.empty:
        doc.paragraph(
            translate("MonthlyReport", "Nenhuma pesquisa enviada ou respondida no mês.")
            if survey.enabled else translate(
                "MonthlyReport",
                "A pesquisa após o pagamento está desligada e nada foi respondido no mês."),
            muted=True)
        return
    scores = survey.scores
    doc.fields([
        (translate("MonthlyReport", "Pesquisas enviadas"), fmt.format_count(survey.sent)),
        (translate("MonthlyReport", "Respondidas em até 7 dias"), _share(survey.answered)),
        (translate("MonthlyReport", "Respostas"), translate(
            "MonthlyReport", "Ótimo {otimo} · Regular {regular} · Ruim {ruim}").format(
            otimo=fmt.format_count(scores.otimo), regular=fmt.format_count(scores.regular),
            ruim=fmt.format_count(scores.ruim))),
        (translate("MonthlyReport", "Índice de satisfação (Ótimo 100, Regular 50, Ruim 0)"),
         words.percent_text(survey.index).rstrip("%")),
    ])


def _lights(doc: HtmlDoc, f: ResultsFigures) -> None:
    doc.heading(translate("MonthlyReport", "Saúde do número"))
    for title, ratio, state, explained in (
            (translate("MonthlyReport", "Pedidos para parar as mensagens"), f.opted_out, f.opt_out_light,
             words.opt_out_help()),
            (translate("MonthlyReport", "Marcados como pessoa errada"), f.wrong_party, f.wrong_party_light,
             words.wrong_party_help())):
        doc.paragraph(translate("MonthlyReport", "{title}: {share} — {state}.").format(
            title=title, share=_share(ratio) if ratio.denominator else translate(
                "MonthlyReport", "nenhum número contatado"),
            state=words.tr(words.LIGHT_LABELS[state])))
        doc.paragraph(explained, muted=True)
