"""Everything the window needs from the rest of the program, handed over by `app.py`."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cobrador_desktop.domain.clock import DEFAULT_SHOP_ZONE, Clock, SystemClock

if TYPE_CHECKING:
    # types only: the records behind these load after the window's first paint
    from cobrador_desktop.ui.session import OperatorSource
    from cobrador_desktop.ui.viewmodels.backups_vm import BackupsSource
    from cobrador_desktop.ui.viewmodels.dossier_vm import DossierSource
    from cobrador_desktop.ui.viewmodels.inbox_ports import InboxSource
    from cobrador_desktop.ui.viewmodels.ports import (
        DebtorListExporter,
        DebtorListSource,
        SpreadsheetImporter,
    )
    from cobrador_desktop.ui.viewmodels.regua_preview_vm import ReminderPlanner
    from cobrador_desktop.ui.viewmodels.regua_vm import ReguaSource
    from cobrador_desktop.ui.viewmodels.results_ports import ResultsSources
    from cobrador_desktop.ui.viewmodels.shop_settings_vm import ShopSettingsSource
    from cobrador_desktop.ui.viewmodels.templates_vm import TemplatesSource


#: the outbox size, or how to learn it (a function, plain or async) — polled by the window
OutboxCount = int | Callable[[], int] | Callable[[], Awaitable[int]]


def shop_timezone() -> tzinfo:
    """The shop's zone: `COBRADOR_TIMEZONE`, else São Paulo (INTERFACES.md §2)."""
    name = os.environ.get("COBRADOR_TIMEZONE") or DEFAULT_SHOP_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_SHOP_ZONE)


@dataclass(frozen=True)
class UiContext:
    """The window's dependencies and the facts it shows.

    Attributes:
        debtors: the debtor-list service (`DebtorListService` or anything shaped like it).
        profile: "demo" or "normal".
        data_dir: the data folder in use.
        database_label: where the database is, for people (a URL with the password masked).
        version: the program's version.
        operator_name: who works on this PC, if known.
        api_status: "not_configured", "emulator", "connected" or "offline".
        outbox_count: messages waiting to be sent, or a function (plain or async) returning it.
        clock: the clock for "today" (overdue days).
        timezone: the shop's zone, for dates and times on screen.
        settings_path: where window geometry is kept; default `<data_dir>/ui.ini`.
        importer: the spreadsheet import ("Importar planilha…"); None hides it.
        list_exporter: the list's CSV/XLSX export ("Exportar lista…"); None hides it.
        regua: the régua service (`ReguaService`); None keeps the Régua page's "próxima
            versão" text.
        reminders: the reminder planner (`ReminderService`) for the Régua page's "O que sai
            amanhã"; None hides that tab.
        shop_settings: the shop's settings (`ShopSettingsService`) the Configurações page edits;
            None keeps that page read-only.
        templates: the shop's WhatsApp templates (`TemplateService`) for the Régua page's
            "Modelos" tab; None hides that tab.
        inbox: the shared inbox (`InboxService`, or the app's `LazyInbox`); None keeps the
            Caixa de entrada's "próxima versão" page.
        operators: the operators' service (`OperatorService`): sign-in, the Operador menu,
            owner-only controls, Configurações › Operadores and Registro de auditoria; None:
            no sign-in (every call names no operator).
        backups: the backups (`app.backup_port.WindowBackups`) for Configurações › Cópias de
            segurança; None hides that section.
        results: the Resultados screen's sources (`ResultsSources`); None keeps its "próxima
            versão" page.
        dossier: the debtor's dossier (`DossierService`, or the app's lazy one) for "Dossiê
            (PDF)…" on the debtor's screen; None hides it.
    """

    debtors: DebtorListSource
    profile: str
    data_dir: Path
    database_label: str
    version: str
    operator_name: str | None = None
    api_status: str = "not_configured"
    outbox_count: OutboxCount = 0
    clock: Clock = field(default_factory=SystemClock)
    timezone: tzinfo = field(default_factory=shop_timezone)
    settings_path: Path | None = None
    importer: SpreadsheetImporter | None = None
    list_exporter: DebtorListExporter | None = None
    regua: ReguaSource | None = None
    reminders: ReminderPlanner | None = None
    shop_settings: ShopSettingsSource | None = None
    templates: TemplatesSource | None = None
    inbox: InboxSource | None = None
    operators: OperatorSource | None = None
    backups: BackupsSource | None = None
    results: ResultsSources | None = None
    dossier: DossierSource | None = None

    @property
    def is_demo(self) -> bool:
        """True on the demo profile."""
        return self.profile == "demo"

    @property
    def ui_settings_path(self) -> Path:
        """The INI file for window geometry."""
        return self.settings_path or self.data_dir / "ui.ini"
