"""A debtor's dossier (issue 9): everything about one case, gathered for the PDF a shop hands to
Procon, a court or its lawyer.

Who may: the owner only. The dossier carries the person's messages and the audit trail about
them, and COMPLIANCE.md §4.6 keeps exports of personal data with the owner ("only the owner
exports") as §4.4 does for the audit log; an operator is refused (and the refusal audited) like
for "Exportar dados do titular". Each dossier gathered is audited (`debtor.dossier`: who, when,
whose id and how many messages — never the person's data).

Masking is the PDF's (`ui.reports.dossier_pdf`): the CPF as lists show it (`***.456.789-**`)
and each phone with its area code and last four digits; the records here stay whole.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.dossier import DOSSIER_ACTION, Dossier
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.settings import SHOP
from cobrador_desktop.services.authz import owner_only
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import agreements as agreements_repo
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos import debtor_detail as detail_repo
from cobrador_desktop.storage.repos import dossier as repo
from cobrador_desktop.storage.repos import promises as promises_repo
from cobrador_desktop.storage.repos.settings import read_json_setting

__all__ = ["DOSSIER_ACTION", "DossierService"]


class DossierService:
    """Gathers debtors' dossiers through the database thread."""

    def __init__(self, db: Runner, clock: Clock, shop_zone: tzinfo) -> None:
        """Args:
            db: the database runner.
            clock: the instant of the dossier (its audit entry, "gerado em").
            shop_zone: the shop's zone (its "today" for promises and agreements, and the times
                the PDF shows).
        """
        self._db = db
        self._clock = clock
        self._zone = shop_zone

    @owner_only(DOSSIER_ACTION, QT_TRANSLATE_NOOP("Roles", "gerar o dossiê de um devedor"))
    async def gather(self, debtor_id: int, operator_id: int | None) -> Dossier:
        """Everything about `debtor_id`, read in one transaction that also audits it.

        Promises and agreements whose dates passed are settled first (as the debtor screen
        does), so the dossier never shows a stale "em aberto".

        Raises:
            OwnerOnly: `operator_id` is not the owner (None, the system, is allowed).
            DebtorNotFound: no such debtor (nothing audited).
        """
        now = self._clock.now()
        today = now.astimezone(self._zone).date()

        def work(session: Any) -> Dossier:
            promises_repo.settle_promises(session, today, now=now, debtor_id=debtor_id)
            agreements_repo.settle_agreements(session, today, now=now, debtor_id=debtor_id)
            debtor = detail_repo.load(session, debtor_id)
            messages = tuple(repo.messages(session, debtor_id))
            audit.append(session, action=DOSSIER_ACTION, operator_id=operator_id,
                         object_type="debtor", object_id=debtor_id, now=now,
                         details={"messages": len(messages)})
            trail = repo.audit_trail(session, debtor_id)
            return Dossier(
                shop=read_json_setting(session, SHOP), debtor=debtor,
                consent=repo.consent(session, debtor_id, trail), messages=messages,
                audit=trail, generated_at=now,
                generated_by=repo.operator_name(session, operator_id), zone=self._zone)

        return await self._db.run(work)
