"""The debtor's self-service buttons, applied in the transaction that stores the tap
(WHATSAPP_CLOUD_API.md §10.2, COMPLIANCE.md §3).

`apply` is called by `inbound_answers.apply_answers` for:
- "Quero o código PIX" (`PIX:d42`, or typed "pix", "manda o pix"…): the PIX copia e cola of the
  debt's open balance (else the debtor's oldest open debt) from the shop's PIX receiver, with the
  value and due date. No receiver configured: no reply, a `send_pix` task and the conversation to
  the queue.
- "Negociar" (`NEGOTIATE:d42`): the instalment options of the NEGOTIATION setting as reply
  buttons (a list beyond three), ids `NEGOTIATE_OPT:d42:3`; a tap on one records it (audit and a
  `negotiation` task to formalise the agreement), queues the conversation and confirms.
- "Já paguei" (`PAID:d42`): `payment_claimed_at` on the debt (or every open debt of the debtor),
  which stops the régua (the guard's DEBT_PAYMENT_CLAIMED); a `confirm_payment` task; the
  conversation to the queue; a reply asking for the receipt.
- "Falar com atendente" (`AGENT:d42`): the conversation to the queue and a reply with the hours.

Identity first (COMPLIANCE.md §3): nothing showing a debt detail goes to a number whose link to
the debtor is not confirmed; the person is asked "Sou eu?" with two buttons instead. A number
marked "não sou eu" gets nothing; an opted-out one gets no reply (what it asked is still recorded
for an operator). Every action is audited; a second tap of the same button on the same message
(or the same typed request within `TYPED_REPEAT`) does nothing new; at most one reply, through
the send guard (`inbound_answers.queue_reply`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain import self_service as words
from cobrador_desktop.domain.documents import format_document, parse_document
from cobrador_desktop.domain.errors import InvalidInput
from cobrador_desktop.domain.inbound_answers import Intent
from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.policy import Decision, MessageType
from cobrador_desktop.domain.settings import NEGOTIATION, SHOP_PIX_KEY, GuardSettings
from cobrador_desktop.domain.templates import day_text
from cobrador_desktop.storage.orm import Debt, Debtor, DebtorPhone, Message, Phone, Task
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos.bulk import dataset_marker
from cobrador_desktop.storage.repos.inbound_answers import (
    Answered,
    Applied,
    link_of,
    queue_reply,
    reply_details,
    via,
)
from cobrador_desktop.storage.repos.inbox import to_queue
from cobrador_desktop.storage.repos.settings import read_guard_settings, read_json_setting

INTENTS = frozenset({Intent.PIX_REQUESTED, Intent.PAYMENT_CLAIMED, Intent.NEGOTIATE,
                     Intent.NEGOTIATION_CHOSEN, Intent.AGENT_REQUESTED})
#: audit actions, one per button
ACTIONS = {Intent.PIX_REQUESTED: "debtor.pix_requested",
           Intent.PAYMENT_CLAIMED: "debt.payment_claimed",
           Intent.NEGOTIATE: "debtor.negotiation_requested",
           Intent.NEGOTIATION_CHOSEN: "debtor.negotiation_chosen",
           Intent.AGENT_REQUESTED: "conversation.agent_requested"}
#: operator tasks: the shop has no PIX receiver yet; check a claimed payment; formalise a plan
SEND_PIX, CONFIRM_PAYMENT, NEGOTIATION_TASK = "send_pix", "confirm_payment", "negotiation"
#: the same typed request again within this time changes nothing (a tap names its message)
TYPED_REPEAT = timedelta(minutes=10)


class _Reply:
    """The one reply an action chose: the Cloud API body, what the person reads, its kind."""

    def __init__(self, request: dict[str, Any], text: str, message_type: MessageType = "text",
                 *, reveals_debt: bool = False) -> None:
        self.request, self.text, self.message_type = request, text, message_type
        self.reveals_debt = reveals_debt

    @classmethod
    def of_text(cls, text: str, *, reveals_debt: bool = False) -> _Reply:
        return cls(words.text_request(text), text, reveals_debt=reveals_debt)


def apply(session: Session, item: Answered, now: datetime) -> Applied | None:
    """Apply one self-service answer; None when it changes nothing (a repeat, a wrong party)."""
    if _repeated(session, item):
        return None
    link = link_of(session, item)
    if link is not None and link.wrong_party:
        return None  # "não sou eu": one reply was sent, then silence
    settings = read_guard_settings(session)
    details: dict[str, Any] = {"via": via(item), "message": item.event.wamid,
                               "payload": item.event.payload}
    reply: _Reply | None = None
    queue = True
    intent = item.answer.intent
    debtor_id = link.debtor_id if link is not None else None
    if link is None:
        details["unresolved"] = "no single debtor for this number"  # an operator decides
        if intent is Intent.AGENT_REQUESTED:
            reply = _Reply.of_text(words.AGENT_REPLY.format(
                horario=words.hours_text(settings.profile)))
    elif intent is Intent.AGENT_REQUESTED:
        reply = _Reply.of_text(words.AGENT_REPLY.format(horario=words.hours_text(settings.profile)))
    elif intent is Intent.PAYMENT_CLAIMED:
        reply = _paid(session, item, link, now, details)
        if reply is None:
            return None  # already claimed and waiting for an operator
    else:
        debt = _open_debt(session, link.debtor_id, item.answer.debt_id)
        if debt is None:
            details["no_open_debt"] = True
        elif link.cpc_status != "confirmed":
            details["identity_asked"] = True
            reply = _identity_question(session, link.debtor_id, debt.id)
        elif intent is Intent.PIX_REQUESTED:
            reply, queue = _pix(session, link, debt, now, details, settings)
        elif intent is Intent.NEGOTIATE:
            reply, queue = _negotiate(session, link, debt, now, details, settings)
        else:
            reply = _chosen(session, item, link, debt, now, details, settings)
    if queue:
        to_queue(session, item.conversation_id, now)
        details["queued"] = True
    outbox_id, decision = _send(session, item, link, reply, now)
    if reply is not None:
        details.update(reply_details(outbox_id, decision) or {"reply_withheld": "opted_out"})
    audit.append(session, action=ACTIONS[intent], operator_id=None,
                 object_type="debtor" if debtor_id is not None else "phone",
                 object_id=debtor_id if debtor_id is not None else item.phone_id, now=now,
                 details={"phone_id": item.phone_id, **details})
    return Applied(item.event.wamid, intent, debtor_id, item.phone_id, outbox_id, decision)


# --------------------------------------------------------------------------- the actions


def _pix(session: Session, link: DebtorPhone, debt: Debt, now: datetime, details: dict[str, Any],
         settings: GuardSettings) -> tuple[_Reply | None, bool]:
    """The copia e cola reply (and no queue), or a task when the shop has no PIX receiver."""
    balance = _balance(debt)
    details.update(debt_id=debt.id, balance_cents=balance)
    code = pix_copia_e_cola(session, debt)
    if code is None:
        details["pix_missing"] = True
        _task(session, link, SEND_PIX, now, f"Pediu o código PIX de {format_brl(balance)} "
              f"(vencimento {day_text(debt.due_date)}), mas a chave PIX da loja não está "
              "configurada: configure-a em Configurações e envie o código pela conversa.")
        return None, True
    return _Reply.of_text(pix_message(code, debt, settings), reveals_debt=True), False


def pix_copia_e_cola(session: Session, debt: Debt) -> str | None:
    """The PIX copia e cola of the debt's open balance from the shop's PIX receiver (None: the
    receiver is not configured, or cannot make a code)."""
    receiver = dataset_marker(session, SHOP_PIX_KEY) or {}
    try:
        return words.pix_code(str(receiver.get("key") or ""), str(receiver.get("name") or ""),
                              str(receiver.get("city") or ""), balance_cents=_balance(debt),
                              debt_id=debt.id)
    except InvalidInput:
        return None


def pix_message(code: str, debt: Debt, settings: GuardSettings) -> str:
    """The "Quero o código PIX" reply: who charges, value, due date and the copia e cola."""
    shop = settings.shop_details
    return words.pix_reply(code, balance_cents=_balance(debt), due=debt.due_date,
                           legal_name=shop.legal_name if shop else None,
                           document=_cnpj(shop.document) if shop else None)


def oldest_open_debt(session: Session, debtor_id: int) -> Debt | None:
    """The debtor's oldest open debt (what the PIX reply charges when no debt is named)."""
    return _open_debt(session, debtor_id, None)


def _negotiate(session: Session, link: DebtorPhone, debt: Debt, now: datetime,
               details: dict[str, Any], settings: GuardSettings) -> tuple[_Reply, bool]:
    """The owner's instalment options as buttons (no queue yet), or "an operator will talk"."""
    balance = _balance(debt)
    found = words.options(balance, read_json_setting(session, NEGOTIATION))
    details.update(debt_id=debt.id, balance_cents=balance,
                   options=[o.to_json() for o in found])
    if not found:
        _task(session, link, NEGOTIATION_TASK, now, f"Pediu para negociar {format_brl(balance)} "
              f"(vencimento {day_text(debt.due_date)}); o valor é baixo para as opções de "
              "parcelamento configuradas: combine com o cliente.")
        return _Reply.of_text(words.NEGOTIATE_NONE.format(
            horario=words.hours_text(settings.profile))), True
    text = words.negotiate_text(balance, debt.due_date, found)
    request = words.choices_request(text, [(words.option_id(debt.id, o.count), o.title)
                                           for o in found])
    return _Reply(request, text, "interactive", reveals_debt=True), False


def _chosen(session: Session, item: Answered, link: DebtorPhone, debt: Debt, now: datetime,
            details: dict[str, Any], settings: GuardSettings) -> _Reply:
    """The option picked: recorded for an operator to formalise; the person is told so."""
    balance = _balance(debt)
    count = item.answer.option or 0
    plan = words.split(balance, count) if count >= 2 else None
    details.update(debt_id=debt.id, balance_cents=balance,
                   plan=plan.to_json() if plan else {"count": count})
    chosen = plan.wording if plan else f"{count}x"
    _task(session, link, NEGOTIATION_TASK, now,
          f"Escolheu pagar {format_brl(balance)} (vencimento {day_text(debt.due_date)}) em "
          f"{chosen}: formalize o acordo com o cliente.")
    return _Reply.of_text(words.NEGOTIATE_CHOSEN.format(
        plano=chosen, horario=words.hours_text(settings.profile)), reveals_debt=True)


def _paid(session: Session, item: Answered, link: DebtorPhone, now: datetime,
          details: dict[str, Any]) -> _Reply | None:
    """Mark the debt (or every open debt) payment-claimed and open one `confirm_payment` task;
    None when nothing is new (all already claimed and the task still open)."""
    named = _open_debt(session, link.debtor_id, item.answer.debt_id, oldest=False)
    debts = [named] if named is not None else list(session.scalars(
        select(Debt).where(Debt.debtor_id == link.debtor_id, Debt.status == "open",
                           Debt.amount_cents > Debt.paid_cents).order_by(Debt.due_date, Debt.id)))
    fresh = [d for d in debts if d.payment_claimed_at is None]
    for debt in fresh:
        debt.payment_claimed_at = item.event.timestamp
    open_task = _open_task(session, link, CONFIRM_PAYMENT)
    if not fresh and open_task is not None:
        return None
    details.update(debt_ids=[d.id for d in debts], claimed_now=[d.id for d in fresh])
    if open_task is None:
        listed = "; ".join(f"{format_brl(_balance(d))} (vencimento {day_text(d.due_date)})"
                           for d in debts) or "nenhum valor em aberto"
        said = f"“{item.event.text.strip()}”. " if item.event.text.strip() else ""
        _task(session, link, CONFIRM_PAYMENT, now, f"{said}Disse que já pagou: {listed}. "
              "Confira o pagamento (peça o comprovante) e registre-o, ou retome a cobrança.")
    return _Reply.of_text(words.PAID_REPLY)


# --------------------------------------------------------------------------- helpers


def _repeated(session: Session, item: Answered) -> bool:
    """The same button on the same message tapped before (or the same typed request lately)."""
    event = item.event
    rows = session.execute(
        select(Message.wamid, Message.payload, Message.created_at)
        .where(Message.conversation_id == item.conversation_id, Message.direction == "in",
               Message.wamid != event.wamid, Message.created_at <= event.timestamp,
               Message.created_at >= event.timestamp - (
                   timedelta(days=366) if event.context_wamid else TYPED_REPEAT))
        .order_by(Message.id)).all()
    mine = item.answer.to_json()
    for row in rows:
        payload = row.payload if isinstance(row.payload, dict) else {}
        answer = payload.get("answer")
        if not isinstance(answer, dict) or answer.get("intent") != mine["intent"]:
            continue
        if event.context_wamid:
            if payload.get("context") == event.context_wamid and \
                    payload.get("payload") == event.payload:
                return True
        elif answer.get("debt_id") == mine["debt_id"] and answer.get("option") == mine.get(
                "option"):
            return True
    return False


def _open_debt(session: Session, debtor_id: int, debt_id: int | None, *,
               oldest: bool = True) -> Debt | None:
    """The named debt when it is the debtor's and open, else (`oldest`) the oldest open one."""
    if debt_id is not None:
        debt = session.get(Debt, debt_id)
        if debt is not None and debt.debtor_id == debtor_id and _balance(debt) > 0 \
                and debt.status == "open":
            return debt
    if not oldest:
        return None
    return session.scalar(
        select(Debt).where(Debt.debtor_id == debtor_id, Debt.status == "open",
                           Debt.amount_cents > Debt.paid_cents)
        .order_by(Debt.due_date, Debt.id).limit(1))


def _balance(debt: Debt) -> int:
    return max(int(debt.amount_cents) - int(debt.paid_cents), 0)


def _cnpj(document: str) -> str:
    """`11.222.333/0001-81` (the settings keep a checked document, digits only)."""
    try:
        return format_document(parse_document(document))
    except InvalidInput:
        return document


def _identity_question(session: Session, debtor_id: int, debt_id: int) -> _Reply:
    debtor = session.get_one(Debtor, debtor_id)
    text = words.identity_question(debtor.name, is_company=_is_company(debtor))
    return _Reply(words.choices_request(text, words.identity_buttons(debt_id)), text,
                  "interactive")


def _is_company(debtor: Debtor) -> bool:
    return (debtor.document_type or "").lower() == "cnpj"


def _open_task(session: Session, link: DebtorPhone, kind: str) -> int | None:
    return session.scalar(select(Task.id).where(
        Task.debtor_id == link.debtor_id, Task.kind == kind, Task.done_at.is_(None)).limit(1))


def _task(session: Session, link: DebtorPhone, kind: str, now: datetime, note: str) -> None:
    session.add(Task(debtor_id=link.debtor_id, phone_id=link.phone_id, kind=kind, note=note,
                     created_at=now))
    session.flush()


def _send(session: Session, item: Answered, link: DebtorPhone | None, reply: _Reply | None,
          now: datetime) -> tuple[int | None, Decision | None]:
    """Queue the reply through the guard, unless the number opted out (nothing then)."""
    if reply is None or _silenced(session, item.phone_id, link):
        return None, None
    return queue_reply(session, item.conversation_id, item.event.wamid, reply.request,
                       reply.text, now=now, message_type=reply.message_type,
                       reveals_debt=reply.reveals_debt)


def _silenced(session: Session, phone_id: int, link: DebtorPhone | None) -> bool:
    phone = session.get_one(Phone, phone_id)
    if phone.opted_out or phone.suppressed:
        return True
    if link is None:
        return False
    return bool(session.scalar(select(Debtor.opted_out).where(Debtor.id == link.debtor_id)))
