"""Configurações › Registro de auditoria as the screen sees it: filters, pages, the CSV export.

The owner reads who did what, when and why, newest first, a page at a time; an operator's
request is refused by the service (and that refusal is itself recorded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.roles import AuditRow
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.session import OperatorSource, SignedIn
from cobrador_desktop.ui.tasks import TaskRunner
from cobrador_desktop.ui.viewmodels.debtor_detail_text import AUDIT_LABELS

PAGE_SIZE = 50

#: the period filter: label -> days back (None: everything)
PERIODS: tuple[tuple[str, int | None], ...] = (
    (QT_TRANSLATE_NOOP("AuditView", "Últimos 7 dias"), 7),
    (QT_TRANSLATE_NOOP("AuditView", "Últimos 30 dias"), 30),
    (QT_TRANSLATE_NOOP("AuditView", "Últimos 12 meses"), 365),
    (QT_TRANSLATE_NOOP("AuditView", "Tudo"), None),
)
#: the action filter: label -> action prefix (None: every action)
ACTIONS: tuple[tuple[str, str | None], ...] = (
    (QT_TRANSLATE_NOOP("AuditView", "Todas as ações"), None),
    (QT_TRANSLATE_NOOP("AuditView", "Acessos negados"), "access.denied"),
    (QT_TRANSLATE_NOOP("AuditView", "Operadores e entradas"), "operator."),
    (QT_TRANSLATE_NOOP("AuditView", "Configurações"), "setting."),
    (QT_TRANSLATE_NOOP("AuditView", "Régua"), "regua."),
    (QT_TRANSLATE_NOOP("AuditView", "Modelos"), "template."),
    (QT_TRANSLATE_NOOP("AuditView", "Exportações"), "audit.export"),
    (QT_TRANSLATE_NOOP("AuditView", "Pagamentos"), "payment"),
    (QT_TRANSLATE_NOOP("AuditView", "Promessas"), "promise."),
    (QT_TRANSLATE_NOOP("AuditView", "Acordos"), "agreement."),
    (QT_TRANSLATE_NOOP("AuditView", "Devedores e LGPD"), "debtor"),
    (QT_TRANSLATE_NOOP("AuditView", "Conversas"), "conversation."),
)
#: what the actions not on a debtor's screen mean
LABELS = {
    "access.denied": QT_TRANSLATE_NOOP("AuditView", "Acesso negado"),
    "operator.sign_in": QT_TRANSLATE_NOOP("AuditView", "Entrou"),
    "operator.sign_in_failed": QT_TRANSLATE_NOOP("AuditView", "Senha errada ao entrar"),
    "operator.add": QT_TRANSLATE_NOOP("AuditView", "Operador cadastrado"),
    "operator.first_owner": QT_TRANSLATE_NOOP("AuditView", "Dono cadastrado"),
    "operator.password_set": QT_TRANSLATE_NOOP("AuditView", "Senha definida"),
    "operator.active": QT_TRANSLATE_NOOP("AuditView", "Operador ativado ou desativado"),
    "operator.role": QT_TRANSLATE_NOOP("AuditView", "Papel mudado"),
    "audit.export": QT_TRANSLATE_NOOP("AuditView", "Registro de auditoria exportado"),
    "setting.change": QT_TRANSLATE_NOOP("AuditView", "Configuração mudada"),
    "regua.change": QT_TRANSLATE_NOOP("AuditView", "Régua mudada"),
    "template.submit": QT_TRANSLATE_NOOP("AuditView", "Modelos enviados para aprovação"),
    "payments.import": QT_TRANSLATE_NOOP("AuditView", "Pagamentos importados"),
    "debtors.import": QT_TRANSLATE_NOOP("AuditView", "Planilha importada"),
    "debtor.export_personal_data": QT_TRANSLATE_NOOP("AuditView", "Dados do titular exportados"),
    "debtor.dossier": QT_TRANSLATE_NOOP("AuditView", "Dossiê do devedor gerado (PDF)"),
    "phone.opt_out": QT_TRANSLATE_NOOP("AuditView", "Pediu para não receber mensagens"),
    "phone.opt_in": QT_TRANSLATE_NOOP("AuditView", "Voltou a aceitar mensagens"),
    "phone.wrong_party_cleared": QT_TRANSLATE_NOOP("AuditView", "“Não sou eu” desfeito"),
    "conversation.claim": QT_TRANSLATE_NOOP("AuditView", "Conversa assumida"),
    "conversation.transfer": QT_TRANSLATE_NOOP("AuditView", "Conversa transferida"),
    "conversation.resolve": QT_TRANSLATE_NOOP("AuditView", "Conversa resolvida"),
    "conversation.reopen": QT_TRANSLATE_NOOP("AuditView", "Conversa reaberta"),
}
#: details shown as the "reason" column, first found wins
REASON_KEYS = ("reason", "motivo", "note", "text", "key", "role", "active", "rows")


def action_label(action: str) -> str:
    """The action for people, in pt-BR (the code itself when unknown)."""
    if action in LABELS:
        return QCoreApplication.translate("AuditView", LABELS[action])
    if action in AUDIT_LABELS:
        return QCoreApplication.translate("DebtorDetail", AUDIT_LABELS[action])
    return action


#: what the entries are about
OBJECT_LABELS = {
    "operator": QT_TRANSLATE_NOOP("AuditView", "operador"),
    "action": QT_TRANSLATE_NOOP("AuditView", "ação"),
    "setting": QT_TRANSLATE_NOOP("AuditView", "configuração"),
    "debtor": QT_TRANSLATE_NOOP("AuditView", "devedor"),
    "phone": QT_TRANSLATE_NOOP("AuditView", "telefone"),
    "payment": QT_TRANSLATE_NOOP("AuditView", "pagamento"),
    "promise": QT_TRANSLATE_NOOP("AuditView", "promessa"),
    "agreement": QT_TRANSLATE_NOOP("AuditView", "acordo"),
    "conversation": QT_TRANSLATE_NOOP("AuditView", "conversa"),
    "audit_log": QT_TRANSLATE_NOOP("AuditView", "registro de auditoria"),
}


def object_text(row: AuditRow, names: Mapping[int, str]) -> str:
    """What the entry is about: "operador Ana", "devedor 12", "configuração shop.pix"."""
    if row.object_type is None or row.action == "access.denied":  # the reason says what
        return row.object_id or "" if row.object_type is None else ""
    kind = OBJECT_LABELS.get(row.object_type)
    label = QCoreApplication.translate("AuditView", kind) if kind else row.object_type
    ident = row.object_id or ""
    if row.object_type == "operator" and ident.isdigit():
        ident = names.get(int(ident), ident)
    return f"{label} {ident}".strip()


def owner_only_what() -> Mapping[str, str]:
    """What each owner-only action does ("mudar a régua"; `services.authz.WHAT`), imported when
    the first page is shown, not with the window."""
    from cobrador_desktop.services.authz import WHAT

    return WHAT


def reason_text(row: AuditRow) -> str:
    """The entry's reason or main fact, for the table ("" when it has none); a denied access
    says what was tried."""
    if row.action == "access.denied":
        tried = str(row.details.get("action") or row.object_id or "")
        what = owner_only_what().get(tried)
        return QCoreApplication.translate("AuditView", "Tentou: {what}").format(
            what=QCoreApplication.translate("Roles", what) if what else tried)
    for key in REASON_KEYS:
        value = row.details.get(key)
        if value not in (None, ""):
            return str(value)
    return ""


@dataclass(frozen=True)
class AuditFilter:
    days: int | None = 30
    action_prefix: str | None = None
    who: int | None = None


class AuditViewModel(QObject):
    """Reads the audit log a page at a time with the chosen filters."""

    #: a page: (tuple of AuditRow, page number from 0, more pages after it)
    page_loaded = Signal(object, int, bool)
    #: refused or failed: the pt-BR text
    failed = Signal(str)
    #: the CSV was written: (rows, path)
    exported = Signal(int, str)

    def __init__(self, source: OperatorSource, session: SignedIn, clock: Clock, tz: tzinfo,
                 parent: QObject | None = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.source = source
        self.session = session
        self.clock = clock
        self.tz = tz
        self.filter = AuditFilter()
        self.page = 0
        self._page_size = page_size
        self._tasks = TaskRunner("audit")

    def set_filter(self, new: AuditFilter) -> None:
        self.filter = new
        self.load(0)

    def load(self, page: int | None = None) -> None:
        """Read page `page` (default: the current one) with the filters."""
        self.page = max(0, self.page if page is None else page)
        self._tasks.cancel_all()
        self._tasks.spawn(self._load(self.page), "page")

    def _since(self) -> datetime | None:
        if self.filter.days is None:
            return None
        local = self.clock.now().astimezone(self.tz)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return start - timedelta(days=self.filter.days - 1)

    async def _load(self, page: int) -> None:
        try:
            rows = tuple(await self.source.audit_entries(
                self.session.operator_id, since=self._since(), until=None,
                action_prefix=self.filter.action_prefix, who=self.filter.who,
                limit=self._page_size + 1, offset=page * self._page_size))
        except KnownError as error:
            self.failed.emit(known_text(error))
            return
        self.page_loaded.emit(rows[:self._page_size], page, len(rows) > self._page_size)

    def export(self, target: Path) -> None:
        """Write the entries the filters select to `target` (a CSV Excel opens)."""
        self._tasks.spawn(self._export(target), "export")

    async def _export(self, target: Path) -> None:
        try:
            count = await self.source.export_audit(
                self.session.operator_id, target, since=self._since(),
                action_prefix=self.filter.action_prefix, who=self.filter.who)
        except KnownError as error:
            self.failed.emit(known_text(error))
            return
        self.exported.emit(int(count), str(target))

    def close(self) -> None:
        self._tasks.cancel_all()
