"""The debtor's dossier for the window ("Dossiê (PDF)…"), built on the database the first time it
is used (`ui.viewmodels.dossier_vm.DossierSource`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cobrador_desktop.app.backend import _LazyService
from cobrador_desktop.domain.clock import SystemClock

if TYPE_CHECKING:
    from cobrador_desktop.domain.dossier import Dossier
    from cobrador_desktop.storage.db import Database


class LazyDossier(_LazyService):
    """`services.dossier.DossierService` on the backend's database, in the shop's zone."""

    def _make(self, db: Database) -> Any:
        from cobrador_desktop.services.dossier import DossierService

        return DossierService(db, SystemClock(), ZoneInfo(self._backend.profile.timezone))

    async def gather(self, debtor_id: int, operator_id: int | None) -> Dossier:
        """See `DossierService.gather`."""
        dossier: Dossier = await (await self._get()).gather(debtor_id, operator_id)
        return dossier
