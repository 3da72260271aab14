"""How the debtor screen words things (pt-BR source text, translated through Qt).

Kept apart from the widgets so the wording of a phone's state or a timeline line is decided in
one place and tested without building a screen.
"""

from __future__ import annotations

from datetime import date, tzinfo

from PySide6.QtCore import QCoreApplication

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.records import (
    DebtorDetail,
    DebtRecord,
    PhoneState,
    TimelineEvent,
    TimelineKind,
)
from cobrador_desktop.ui import formatting as fmt

CONTEXT = "DebtorDetail"

METHOD_LABELS = {
    "pix": QT_TRANSLATE_NOOP("DebtorDetail", "PIX"),
    "dinheiro": QT_TRANSLATE_NOOP("DebtorDetail", "Dinheiro"),
    "cartao": QT_TRANSLATE_NOOP("DebtorDetail", "Cartão"),
    "boleto": QT_TRANSLATE_NOOP("DebtorDetail", "Boleto"),
    "transferencia": QT_TRANSLATE_NOOP("DebtorDetail", "Transferência"),
    "outro": QT_TRANSLATE_NOOP("DebtorDetail", "Outro"),
}
DEBT_STATUS_LABELS = {
    "open": QT_TRANSLATE_NOOP("DebtorDetail", "Em aberto"),
    "paid": QT_TRANSLATE_NOOP("DebtorDetail", "Paga"),
    "cancelled": QT_TRANSLATE_NOOP("DebtorDetail", "Cancelada"),
    "disputed": QT_TRANSLATE_NOOP("DebtorDetail", "Contestada"),
    "agreement": QT_TRANSLATE_NOOP("DebtorDetail", "Em acordo"),
}
MESSAGE_STATUS_LABELS = {
    "queued": QT_TRANSLATE_NOOP("DebtorDetail", "na fila"),
    "sending": QT_TRANSLATE_NOOP("DebtorDetail", "enviando"),
    "sent": QT_TRANSLATE_NOOP("DebtorDetail", "enviada"),
    "delivered": QT_TRANSLATE_NOOP("DebtorDetail", "entregue"),
    "read": QT_TRANSLATE_NOOP("DebtorDetail", "lida"),
    "failed": QT_TRANSLATE_NOOP("DebtorDetail", "falhou"),
    "unknown": QT_TRANSLATE_NOOP("DebtorDetail", "sem confirmação"),
    "received": QT_TRANSLATE_NOOP("DebtorDetail", "recebida"),
}
AUDIT_LABELS = {
    "payment.record": QT_TRANSLATE_NOOP("DebtorDetail", "Pagamento registrado"),
    "debtor.note": QT_TRANSLATE_NOOP("DebtorDetail", "Nota adicionada"),
    "debtor.anonymise": QT_TRANSLATE_NOOP("DebtorDetail", "Dados anonimizados"),
    "debtor.export": QT_TRANSLATE_NOOP("DebtorDetail", "Dados do titular exportados"),
    "debtor.opt_out": QT_TRANSLATE_NOOP("DebtorDetail", "Pediu para não receber mensagens"),
    "debtor.opt_in": QT_TRANSLATE_NOOP("DebtorDetail", "Autorização de mensagens registrada"),
    "debtor.call_requested": QT_TRANSLATE_NOOP(
        "DebtorDetail", "Pediu uma ligação: tarefa de ligar para o devedor"),
    "phone.cpc_confirmed": QT_TRANSLATE_NOOP("DebtorDetail", "Identidade confirmada no número"),
    "phone.wrong_party": QT_TRANSLATE_NOOP(
        "DebtorDetail", "Número não é do devedor (\"não sou eu\"): tarefa de buscar outro telefone"),
    "promise.create": QT_TRANSLATE_NOOP("DebtorDetail", "Promessa de pagamento registrada"),
    "promise.kept": QT_TRANSLATE_NOOP("DebtorDetail", "Promessa cumprida"),
    "promise.broken": QT_TRANSLATE_NOOP("DebtorDetail", "Promessa não cumprida"),
    "promise.cancel": QT_TRANSLATE_NOOP("DebtorDetail", "Promessa cancelada"),
    "agreement.create": QT_TRANSLATE_NOOP("DebtorDetail", "Acordo feito"),
    "agreement.completed": QT_TRANSLATE_NOOP("DebtorDetail", "Acordo quitado"),
    "agreement.broken": QT_TRANSLATE_NOOP("DebtorDetail", "Acordo rompido (parcela em atraso)"),
    "agreement.cancel": QT_TRANSLATE_NOOP("DebtorDetail", "Acordo cancelado"),
}
PROMISE_STATUS_LABELS = {
    "open": QT_TRANSLATE_NOOP("DebtorDetail", "Em aberto"),
    "kept": QT_TRANSLATE_NOOP("DebtorDetail", "Cumprida"),
    "broken": QT_TRANSLATE_NOOP("DebtorDetail", "Não cumprida"),
    "cancelled": QT_TRANSLATE_NOOP("DebtorDetail", "Cancelada"),
}
AGREEMENT_STATUS_LABELS = {
    "active": QT_TRANSLATE_NOOP("DebtorDetail", "Ativo"),
    "completed": QT_TRANSLATE_NOOP("DebtorDetail", "Quitado"),
    "broken": QT_TRANSLATE_NOOP("DebtorDetail", "Rompido"),
    "cancelled": QT_TRANSLATE_NOOP("DebtorDetail", "Cancelado"),
}
CHANNEL_LABELS = {
    "whatsapp": QT_TRANSLATE_NOOP("DebtorDetail", "WhatsApp"),
    "telefone": QT_TRANSLATE_NOOP("DebtorDetail", "Telefone"),
    "balcao": QT_TRANSLATE_NOOP("DebtorDetail", "Balcão"),
    "outro": QT_TRANSLATE_NOOP("DebtorDetail", "Outro"),
}
_KIND_LABELS = {
    "mobile": QT_TRANSLATE_NOOP("DebtorDetail", "Celular"),
    "landline": QT_TRANSLATE_NOOP("DebtorDetail", "Fixo"),
    "unknown": QT_TRANSLATE_NOOP("DebtorDetail", "Tipo não informado"),
}

#: lupdate collects `translate("Context", "literal")` calls by this name
translate = QCoreApplication.translate

#: badge tones, for colours
OK, WARN, BAD, MUTED = "ok", "warn", "bad", "muted"


def tr(text: str) -> str:
    """`text` translated in the debtor screen's context (for source text held in a table).

    Literal texts call `translate("DebtorDetail", …)` themselves: lupdate
    collects only calls whose context and text are string literals.
    """
    return QCoreApplication.translate(CONTEXT, text)


def label(table: dict[str, str], code: str | None) -> str:
    """The translated label of `code` in `table`, or the code itself when unknown."""
    if code is None:
        return ""
    source = table.get(code)
    return tr(source) if source is not None else code


def installment_text(debt: DebtRecord) -> str:
    """`3/10`, or "" when the debt is not an instalment."""
    if debt.installment_number is None:
        return ""
    if debt.installment_count is None:
        return str(debt.installment_number)
    return f"{debt.installment_number}/{debt.installment_count}"


def days_text(days: int | None) -> str:
    """`1 dia`, `12 dias`, or "" when not late."""
    if days is None:
        return ""
    if days == 1:
        return translate("DebtorDetail", "1 dia")
    return translate("DebtorDetail", "{days} dias").format(days=fmt.format_count(days))


def phone_badges(phone: PhoneState) -> list[tuple[str, str]]:
    """The state of a phone as short badges (text, tone), most important first."""
    badges: list[tuple[str, str]] = []
    if phone.role == "reference":
        badges.append((translate("DebtorDetail", "Referência: nunca recebe mensagens"), MUTED))
    if phone.wrong_party:
        badges.append((translate("DebtorDetail", "Não é o devedor"), BAD))
    if phone.opted_out:
        badges.append((translate("DebtorDetail", "Pediu para não receber"), BAD))
    if phone.suppressed:
        badges.append((translate("DebtorDetail", "Na lista de bloqueio"), BAD))
    if phone.whatsapp == "yes":
        badges.append((translate("DebtorDetail", "Tem WhatsApp"), OK))
    elif phone.whatsapp == "no":
        badges.append((translate("DebtorDetail", "Sem WhatsApp"), WARN))
    else:
        badges.append((translate("DebtorDetail", "WhatsApp não verificado"), MUTED))
    if phone.role == "own":
        if phone.opt_in_source:
            badges.append((translate("DebtorDetail", "Autorizou mensagens"), OK))
        else:
            badges.append((translate("DebtorDetail", "Sem autorização registrada"), WARN))
    if phone.shared:
        badges.append((translate("DebtorDetail", "Número compartilhado"), WARN))
    return badges


def phone_caption(phone: PhoneState) -> str:
    """`Celular · Trabalho`: the kind and the label the shop gave the number."""
    kind = label(_KIND_LABELS, phone.kind)
    parts = [kind]
    if phone.label and phone.label.casefold() != kind.casefold():
        parts.append(phone.label)
    return " · ".join(parts)


def phone_tooltip(phone: PhoneState, tz: tzinfo) -> str:
    """The evidence behind the badges: where and when, as the compliance rules ask."""
    lines = []
    if phone.opt_in_source:
        lines.append(translate("DebtorDetail", "Autorização: {source}, em {when}").format(
            source=phone.opt_in_source, when=fmt.format_datetime(phone.opt_in_at, tz) or "?"))
    if phone.opted_out:
        lines.append(translate("DebtorDetail", "Descadastro: {source}, em {when}").format(
            source=phone.opt_out_source or "?",
            when=fmt.format_datetime(phone.opted_out_at, tz) or "?"))
    if phone.wrong_party:
        lines.append(translate(
            "DebtorDetail", "Marcado como “não sou eu” em {when}; só o dono pode desfazer"
        ).format(when=fmt.format_datetime(phone.wrong_party_at, tz) or "?"))
    if phone.suppressed:
        lines.append(translate("DebtorDetail", "Bloqueio: {source}").format(
            source=phone.suppression_source or "?"))
    if phone.whatsapp_checked_at is not None:
        lines.append(translate("DebtorDetail", "WhatsApp verificado em {when}").format(
            when=fmt.format_datetime(phone.whatsapp_checked_at, tz)))
    return "\n".join(lines)


def timeline_texts(event: TimelineEvent, tz: tzinfo) -> tuple[str, str, str]:
    """(when, what, detail) for a line of the timeline."""
    when = (fmt.format_date(event.at.astimezone(tz).date()) if event.date_only
            else fmt.format_datetime(event.at, tz))
    money = fmt.format_brl(event.amount_cents) if event.amount_cents is not None else ""
    by = translate("DebtorDetail", " · por {name}").format(name=event.actor) if event.actor else ""
    kind = event.kind
    if kind == TimelineKind.DEBT:
        return when, translate("DebtorDetail", "Dívida lançada: {amount}").format(amount=money), event.text
    if kind == TimelineKind.PAYMENT:
        what = translate("DebtorDetail", "Pagamento de {amount} ({method})").format(
            amount=money, method=label(METHOD_LABELS, event.status))
        detail = event.text + (f" — {event.detail}" if event.detail else "")
        return when, what + by, detail
    if kind in (TimelineKind.MESSAGE_IN, TimelineKind.MESSAGE_OUT):
        what = (translate("DebtorDetail", "Mensagem recebida") if kind == TimelineKind.MESSAGE_IN
                else translate("DebtorDetail", "Mensagem enviada · {status}").format(
                    status=label(MESSAGE_STATUS_LABELS, event.status)))
        detail = " ".join(event.text.split())
        if event.detail:
            detail = f"{detail} — {event.detail}"
        return when, what + by, detail
    if kind == TimelineKind.NOTE:
        return when, translate("DebtorDetail", "Nota") + by, " ".join(event.text.split())
    if event.text.startswith("promise.") and event.status:
        detail = translate("DebtorDetail", "{amount} para {date}").format(
            amount=money, date=_iso_date_text(event.status))
        return when, label(AUDIT_LABELS, event.text) + by, detail
    if event.text == "agreement.create" and event.status:
        detail = translate("DebtorDetail", "Total {amount} em {count} parcelas").format(
            amount=money, count=event.status)
        return when, label(AUDIT_LABELS, event.text) + by, detail
    if event.text in ("agreement.broken", "agreement.cancel") and event.amount_cents is not None:
        detail = translate("DebtorDetail", "Recebido no acordo: {amount}").format(amount=money)
        return when, label(AUDIT_LABELS, event.text) + by, detail
    return when, label(AUDIT_LABELS, event.text) + by, event.detail or ""


def _iso_date_text(value: str) -> str:
    try:
        return fmt.format_date(date.fromisoformat(value))
    except ValueError:
        return value


SEGMENT_LABELS = {
    "on_time": QT_TRANSLATE_NOOP("DebtorDetail", "Paga em dia"),
    "sometimes_late": QT_TRANSLATE_NOOP("DebtorDetail", "Atrasa às vezes"),
    "always_late": QT_TRANSLATE_NOOP("DebtorDetail", "Atrasa sempre"),
    "never_replied": QT_TRANSLATE_NOOP("DebtorDetail", "Nunca respondeu"),
    "new": QT_TRANSLATE_NOOP("DebtorDetail", "Cliente novo"),
}


def debtor_badges(detail: DebtorDetail) -> list[tuple[str, str]]:
    """The debtor's state at a glance (text, tone): contact, agreement, payment profile."""
    badges: list[tuple[str, str]] = []
    if detail.anonymised_at is not None:
        badges.append((translate("DebtorDetail", "Dados anonimizados"), MUTED))
    if detail.opted_out or detail.reach == "blocked":
        badges.append((translate("DebtorDetail", "Não contatar"), BAD))
    elif detail.reach == "no_whatsapp":
        badges.append((translate("DebtorDetail", "Sem WhatsApp"), WARN))
    if detail.in_agreement:
        badges.append((translate("DebtorDetail", "Em acordo"), OK))
    if detail.segment in SEGMENT_LABELS:
        tone = {"on_time": OK, "sometimes_late": WARN, "always_late": BAD}.get(
            detail.segment, MUTED)
        badges.append((label(SEGMENT_LABELS, detail.segment), tone))
    return badges


def summary(detail: DebtorDetail, today: date) -> list[tuple[str, str]]:
    """The figures under the name (caption, value): open, most late, next due, paid."""
    late = [d for d in (debt.days_late(today) for debt in detail.debts) if d is not None]
    upcoming = [debt.due_date for debt in detail.debts
                if debt.balance_cents and debt.due_date >= today]
    paid = sum(p.amount_cents for p in detail.payments)
    return [
        (translate("DebtorDetail", "Em aberto"), fmt.format_brl(detail.balance_cents)),
        (translate("DebtorDetail", "Maior atraso"),
         days_text(max(late)) if late else translate("DebtorDetail", "em dia")),
        (translate("DebtorDetail", "Próximo vencimento"),
         fmt.format_date(min(upcoming)) if upcoming else "—"),
        (translate("DebtorDetail", "Total pago"), fmt.format_brl(paid)),
    ]
