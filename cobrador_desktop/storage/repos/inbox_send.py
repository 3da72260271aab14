"""What the inbox's template and action sends read about a conversation: its number and debtor,
the debt a template speaks of, the shop's PIX code of the open balance."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.inbox import ConversationNotFound
from cobrador_desktop.domain.inbox_actions import NothingOpen, PixNotConfigured
from cobrador_desktop.domain.settings import GuardSettings
from cobrador_desktop.storage.orm import Conversation, Debtor, Phone
from cobrador_desktop.storage.repos.self_service import (
    oldest_open_debt,
    pix_copia_e_cola,
    pix_message,
)
from cobrador_desktop.storage.repos.template_preview import PreviewDebt, template_debt


class Target(NamedTuple):
    """Whom a conversation's messages go to, and about which debt."""

    conversation_id: int
    phone_id: int
    e164: str
    debtor_id: int | None  # None: a number no debtor is known by
    debtor_name: str | None
    is_company: bool
    debt: PreviewDebt | None  # the debtor's oldest open debt (else first closed one)


def target(session: Session, conversation_id: int) -> Target:
    """The conversation's number, debtor and debt (raises ConversationNotFound)."""
    row = session.execute(
        select(Conversation.phone_id, Phone.e164, Conversation.debtor_id, Debtor.name,
               Debtor.document_type)
        .join(Phone, Phone.id == Conversation.phone_id)
        .outerjoin(Debtor, (Debtor.id == Conversation.debtor_id)
                   & Debtor.anonymised_at.is_(None))
        .where(Conversation.id == conversation_id)).first()
    if row is None:
        raise ConversationNotFound()
    debtor_id = row.debtor_id if row.name is not None else None
    debt = template_debt(session, debtor_id) if debtor_id is not None else None
    return Target(conversation_id, row.phone_id, row.e164, debtor_id, row.name,
                  (row.document_type or "").lower() == "cnpj", debt)


class Pix(NamedTuple):
    """The PIX of a debtor's open balance: the copia e cola and the reply that carries it."""

    debt_id: int
    code: str
    text: str


def open_balance_pix(session: Session, debtor_id: int | None, settings: GuardSettings) -> Pix:
    """The PIX of the debtor's oldest open debt.

    Raises:
        NothingOpen: no debtor, or nothing open.
        PixNotConfigured: the shop's PIX receiver is not configured.
    """
    debt = oldest_open_debt(session, debtor_id) if debtor_id is not None else None
    if debt is None:
        raise NothingOpen()
    code = pix_copia_e_cola(session, debt)
    if code is None:
        raise PixNotConfigured()
    return Pix(debt.id, code, pix_message(code, debt, settings))
