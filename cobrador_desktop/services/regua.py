"""The shop's régua (reminder schedule) as the Régua screen reads and changes it.

Only the owner may change the régua: every save goes through `ReguaService.save` with the operator
who asked, and `services.authz.owner_only` refuses (and audits) anyone else.
"""

from __future__ import annotations

from typing import Any

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.regua import DEFAULT_REGUA, Regua
from cobrador_desktop.services.authz import owner_only
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import regua as repo
from cobrador_desktop.storage.repos.templates import template_names


class ReguaService:
    """Reads and replaces the régua through the database thread."""

    def __init__(self, db: Runner, clock: Clock) -> None:
        """Args:
            db: the database runner.
            clock: the instant recorded with a change (audit log, `updated_at`).
        """
        self._db = db
        self._clock = clock

    async def load(self) -> Regua:
        """The saved régua, or the default one when the shop never saved one."""
        return await self._db.run(repo.load_regua)

    async def template_names(self) -> tuple[str, ...]:
        """Template names a step may use: the `templates` table's, then the default régua's."""
        names = await self._db.run(template_names)
        known = dict.fromkeys(names)
        known.update(dict.fromkeys(step.template for step in DEFAULT_REGUA.steps))
        return tuple(known)

    @owner_only("regua.save", QT_TRANSLATE_NOOP("Roles", "mudar a régua"))
    async def save(self, regua: Regua, operator_id: int | None) -> None:
        """Replace the régua with `regua` and audit the change (who, before, after).

        Args:
            regua: the steps, in the order the owner sees them.
            operator_id: who saves it (None: the system); only the owner may.

        Raises:
            OwnerOnly: `operator_id` is not the owner; nothing is written.
            ReguaInvalid: a step is wrong or two steps send the same day (the message names the
                step); nothing is written and the previous régua still holds.
        """
        regua.check()  # before the round trip: the message comes back at once
        now = self._clock.now()

        def work(session: Any) -> None:
            repo.save_regua(session, regua, operator_id=operator_id, now=now)

        await self._db.run(work)
