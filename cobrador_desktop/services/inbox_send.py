"""What an operator sends from the inbox: free text, an approved template, a one-click action.

Every send runs in one transaction: the inbox's checks (someone else's conversation, someone
typing, messages since the author last looked, the 24-hour window for free text), then the send
guard (`domain.policy.evaluate`), then `OutboxService.enqueue_in` (`queue`, the inbox's one way
into the outbox). Templates are filled like the régua's (`template_message`), from the debtor's
oldest open debt (`templates.values_for`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from cobrador_desktop.domain.conversation import window_is_open
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.inbox import (
    Collision,
    GuardVerdict,
    SendOutcome,
    SendRefused,
    SomeoneTyping,
    TemplateChoice,
    WindowClosed,
)
from cobrador_desktop.domain.inbox_actions import (
    CALL_OFFER,
    CALL_OFFER_PHONE,
    CALL_OFFER_TEXT,
    NO_DEBT,
    NO_OPEN_DEBT,
    NO_VALUES,
    PIX,
    UNKNOWN_NUMBER,
    WA_LINK,
    WA_LINK_TEXT,
    NothingOpen,
    PixNotConfigured,
    ShopPhoneMissing,
    TemplateUnavailable,
    UnknownAction,
    fill_variables,
    status_block,
)
from cobrador_desktop.domain.policy import Decision, SendFacts, SendRequest, Severity, evaluate
from cobrador_desktop.domain.regua import IDENTITY_CHECK
from cobrador_desktop.domain.roles import OwnerOnly, Role
from cobrador_desktop.domain.self_service import text_request
from cobrador_desktop.domain.templates import (
    identity_name,
    placeholder_count,
    quick_replies,
    render,
    values_for,
)
from cobrador_desktop.domain.wa_links import call_link, whatsapp_link
from cobrador_desktop.services.outbox import OutboxService
from cobrador_desktop.services.template_message import template_message
from cobrador_desktop.services.templates import PACK_PURPOSES
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos import inbox as repo
from cobrador_desktop.storage.repos import inbox_read as read
from cobrador_desktop.storage.repos import outbox as outbox_repo
from cobrador_desktop.storage.repos.inbox_send import Target, open_balance_pix, target
from cobrador_desktop.storage.repos.operators import active_role
from cobrador_desktop.storage.repos.send_facts import FactsTarget, gather
from cobrador_desktop.storage.repos.settings import read_guard_settings
from cobrador_desktop.storage.repos.templates import TemplateListRow, list_templates
from cobrador_desktop.whatsapp.payloads import collapse

FREE_REPLY = "free_reply"
REPLY = "reply"
BUSINESS_INITIATED = "business_initiated"
RECEIPT = "payment_receipt"
#: the owner confirmed a CONFIRM-level send (or a free text's lint block) with a note
CONFIRM_ACTION = "send.confirm"
CONFIRMED_ACTION = "send.owner_confirmed"
CONFIRM_WHAT = QT_TRANSLATE_NOOP("Roles", "confirmar um envio que pede a confirmação do dono")


def verdict(decision: Decision) -> GuardVerdict:
    """The composer's inline answer from the guard's decision."""
    main = decision.main_reason
    ordered = [main, *(r for r in decision.reasons if r is not main)] if main else \
        list(decision.reasons)
    reasons = tuple((r.code, r.message) for r in ordered)
    if decision.allowed:
        warns = any(r.severity is Severity.WARN for r in decision.reasons)
        return GuardVerdict("warn" if warns else "allow", reasons)
    if all(r.severity is Severity.CONFIRM for r in decision.blocking):
        return GuardVerdict("confirm", reasons)
    return GuardVerdict("block", reasons, decision.next_allowed_at)


# --------------------------------------------------------------------------- the one way out


def queue(session: Any, conversation_id: int, operator_id: int, request: SendRequest,
          payload: dict[str, Any], facts: SendFacts, *, seen_message_id: int | None,
          send_at: datetime | None, force: bool, now: datetime,
          confirm_note: str | None = None) -> SendOutcome:
    """The inbox's checks, then the send guard on `request`, then the outbox; the typing lock
    is released. Free text needs the 24-hour window open; a template does not.

    `confirm_note`: the owner confirms what the guard lets the owner confirm (CONFIRM reasons,
    a free text's lint blocks), with this note in the audit log; BLOCK reasons still stop it.
    The caller checked the role (`services.authz.require_owner`, which audits a refusal); it is
    checked again here.

    Raises:
        SomeoneTyping / NotYours / Collision (unless `force`) / WindowClosed / SendRefused;
        OwnerOnly (`confirm_note` from someone who is not the owner).
    """
    may_reply(session, conversation_id, operator_id, seen_message_id, force, now,
              window=request.message_type != "template")
    decision = evaluate(request, facts, now)
    if confirm_note is not None and not decision.allowed:
        if operator_id is not None and active_role(session, operator_id) is not Role.OWNER:
            raise OwnerOnly(what=CONFIRM_WHAT)
        request = replace(request, owner_confirmed=frozenset(r.code for r in decision.blocking))
        decision = evaluate(request, facts, now)
    if not decision.allowed and not (send_at and decision.next_allowed_at):
        reason = decision.main_reason
        raise SendRefused(reason=reason.message if reason else "")
    outbox_id = OutboxService.enqueue_in(
        session, conversation_id=conversation_id, payload=payload, purpose=request.purpose,
        kind=request.kind, message_type=request.message_type, text=request.text,
        decision=decision, now=now, operator_id=operator_id, send_at=send_at)
    confirmed = sorted(r.code for r in decision.reasons if r.confirmed)
    if confirmed:
        audit.append(session, action=CONFIRMED_ACTION, operator_id=operator_id,
                     object_type="conversation", object_id=conversation_id, now=now,
                     details={"codes": confirmed, "note": confirm_note, "outbox_id": outbox_id})
    repo.set_typing(session, conversation_id, operator_id, False, now)
    return SendOutcome(outbox_repo.message_id_of(session, outbox_id), verdict(decision), send_at)


def may_reply(session: Any, conversation_id: int, operator_id: int, seen: int | None,
              force: bool, now: datetime, *, window: bool = True) -> None:
    """SomeoneTyping / NotYours / Collision / WindowClosed (`window`), or claim it by replying."""
    row = read.row(session, conversation_id, now)
    if row.typing_operator_id not in (None, operator_id):
        raise SomeoneTyping(operator=row.typing_operator_name or "?")
    repo.ensure_mine(session, conversation_id, operator_id, now)
    if not force:
        count, other = read.newer_messages(session, conversation_id, seen, operator_id)
        if count and seen is not None:
            raise Collision(count=count, operator=repo.operator_name(session, other))
    if window and not window_is_open(row.last_inbound_at, now):
        raise WindowClosed()


def text_send(text: str, *, reveals_debt: bool = False) -> tuple[SendRequest, dict[str, Any]]:
    """An operator's free text: the guard's request and the Cloud API body."""
    return (SendRequest(kind=REPLY, purpose=FREE_REPLY, message_type="text", text=text,
                        reveals_debt=reveals_debt), text_request(text))


def queue_text(session: Any, conversation_id: int, operator_id: int, text: str, *,
               seen_message_id: int | None, send_at: datetime | None, force: bool,
               now: datetime, reveals_debt: bool = False,
               confirm_note: str | None = None) -> SendOutcome:
    """An operator's free-text reply (typed, a quick reply or an action's text)."""
    request, payload = text_send(text, reveals_debt=reveals_debt)
    return queue(session, conversation_id, operator_id, request, payload,
                 outbox_repo.send_facts(session, conversation_id), seen_message_id=seen_message_id,
                 send_at=send_at, force=force, now=now, confirm_note=confirm_note)


def decide_text(session: Any, conversation_id: int, text: str, now: datetime) -> Decision:
    """The send guard on a free-text reply, on the number's facts read now."""
    return evaluate(text_send(text)[0], outbox_repo.send_facts(session, conversation_id), now)


# --------------------------------------------------------------------------- templates


def template_choices(session: Any, conversation_id: int) -> tuple[TemplateChoice, ...]:
    """Every stored template (not deleted) filled for the conversation's debtor."""
    to = target(session, conversation_id)
    return tuple(choice(to, row) for row in list_templates(session) if row.status != "DELETED")


def choice(to: Target, row: TemplateListRow) -> TemplateChoice:
    """The template filled from the debtor's debt, previewed; `blocked_reason` when it cannot
    be sent (its status at Meta, an unknown number, a value missing)."""
    purpose = row.purpose or PACK_PURPOSES.get(row.name)
    values, missing = _values(to, purpose, placeholder_count(row.components))
    debt_id = to.debt.debt_id if to.debt is not None and purpose not in (None,
                                                                         IDENTITY_CHECK) else None
    return TemplateChoice(
        name=row.name, language=row.language, purpose=purpose, category=row.category,
        status=row.status, quality=row.quality, values=tuple(values),
        preview=render(row.components, values),
        buttons=tuple(label for _, label in quick_replies(row.components)), debt_id=debt_id,
        blocked_reason=status_block(row.status) or missing)


def _values(to: Target, purpose: str | None, count: int) -> tuple[list[str], str | None]:
    if purpose is None:
        return [], NO_VALUES if count else None
    if to.debtor_name is None:
        return [], UNKNOWN_NUMBER
    debt = to.debt
    if purpose == IDENTITY_CHECK and debt is None:  # names the person only: no debt needed
        return [collapse(identity_name(to.debtor_name, is_company=to.is_company))][:count], None
    if debt is None:
        return [], NO_DEBT if purpose == RECEIPT else NO_OPEN_DEBT
    if purpose not in (IDENTITY_CHECK, RECEIPT) and not debt.still_open:
        return [], NO_OPEN_DEBT
    try:
        return [collapse(v) for v in values_for(purpose, debt.values)][:count], None
    except ValueError:
        return [], NO_VALUES if count else None


def template_send(session: Any, conversation_id: int, name: str, language: str, now: datetime,
                  shop_zone: str) -> tuple[SendRequest, dict[str, Any], SendFacts]:
    """The guard's request, the Cloud API body and the facts of sending template `name` here.

    Raises:
        TemplateUnavailable: no such stored template.
        SendRefused: it cannot be chosen (its `blocked_reason`).
    """
    to = target(session, conversation_id)
    row = next((r for r in list_templates(session)
                if (r.name, r.language) == (name, language) and r.status != "DELETED"), None)
    if row is None:
        raise TemplateUnavailable(name=name)
    picked = choice(to, row)
    if picked.blocked_reason:
        raise SendRefused(reason=picked.blocked_reason)
    payload, text = template_message(to.e164, name, language, row.components, picked.values,
                                     picked.debt_id)
    purpose = picked.purpose or FREE_REPLY
    # an operator's template starts a conversation about the debt even inside the window:
    # business-initiated (PARAR, opt-in, contact hours and caps apply), never a mere reply
    request = SendRequest(kind=BUSINESS_INITIATED, purpose=purpose, message_type="template",
                          text=text,
                          step=None, reveals_debt=purpose not in (FREE_REPLY, IDENTITY_CHECK))
    if to.debtor_id is None:
        facts = outbox_repo.send_facts(session, conversation_id)
    else:
        facts = gather(session, [FactsTarget(to.debtor_id, to.phone_id, picked.debt_id, None,
                                             name)], now=now, shop_zone=shop_zone)[0]
    return request, payload, facts


# --------------------------------------------------------------------------- actions


def action_text(session: Any, conversation_id: int, action: str) -> tuple[str, bool]:
    """(the text a one-click action sends, whether it shows debt details).

    Raises:
        UnknownAction; NothingOpen / PixNotConfigured (pix); ShopPhoneMissing (wa_link).
    """
    settings = read_guard_settings(session)
    shop = settings.shop_details
    if action == PIX:
        return open_balance_pix(session, target(session, conversation_id).debtor_id,
                                settings).text, True
    if action == WA_LINK:
        if shop is None or not shop.phone:
            raise ShopPhoneMissing()
        return WA_LINK_TEXT.format(loja=shop.trade_name, link=whatsapp_link(shop.phone)), False
    if action == CALL_OFFER:
        phone = shop.phone if shop is not None else None
        text = CALL_OFFER_TEXT + (CALL_OFFER_PHONE.format(tel=call_link(phone)) if phone else "")
        return text, False
    raise UnknownAction(action=action)


def quick_reply_text(session: Any, conversation_id: int, text: str) -> str:
    """A quick reply filled: {nome} {valor} {vencimento} {loja} from the debt, {pix} the copia
    e cola of the open balance, {link_pagamento} the shop's wa.me link (empty ones tidied)."""
    values = read.fill_values(session, conversation_id)
    settings = read_guard_settings(session)
    if "{pix}" in text:
        try:
            values["pix"] = open_balance_pix(
                session, target(session, conversation_id).debtor_id, settings).code
        except (NothingOpen, PixNotConfigured):
            values["pix"] = ""
    shop = settings.shop_details
    values["link_pagamento"] = whatsapp_link(shop.phone) if shop and shop.phone else ""
    return fill_variables(text, values)
