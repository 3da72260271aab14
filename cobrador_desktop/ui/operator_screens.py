"""What signing in changes in the window's pages (issue 8), put in once they are built.

- the owner-only controls (settings saves, Salvar of the régua, sending templates for approval,
  exporting the list) follow the signed-in role (`OwnerGate`);
- the inbox works as the signed-in operator (its "Você é:" picker goes away);
- Configurações gains Operadores and Registro de auditoria.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from cobrador_desktop.ui.session import OperatorSource, SignedIn
from cobrador_desktop.ui.viewmodels.audit_vm import AuditViewModel
from cobrador_desktop.ui.viewmodels.operators_vm import OperatorsViewModel
from cobrador_desktop.ui.views.audit_view import AuditView
from cobrador_desktop.ui.widgets.operators_section import OperatorsSection
from cobrador_desktop.ui.widgets.owner_gate import OwnerGate

if TYPE_CHECKING:
    from cobrador_desktop.ui.main_window import MainWindow


class OperatorScreens:
    """The window's parts that depend on who is signed in."""

    def __init__(self, window: MainWindow, source: OperatorSource) -> None:
        session: SignedIn = window.session
        self.gate = OwnerGate(session, window)
        self._guard_owner_controls(window)
        self._follow_in_inbox(window, session)
        if window.context.list_exporter is not None:
            window.debtors_view.set_exporter(
                _SignedInExporter(window.context.list_exporter, session))
        self.operators_vm = OperatorsViewModel(source, session, parent=window)
        self.audit_vm = AuditViewModel(source, session, window.context.clock,
                                       window.context.timezone, parent=window)
        self.operators_section = OperatorsSection(self.operators_vm)
        self.audit_view = AuditView(self.audit_vm)
        self.operators_vm.loaded.connect(self.audit_view.set_operators)
        session.changed.connect(lambda _actor: self.operators_vm.load())
        window.settings_view.add_section(self.operators_section)
        window.settings_view.add_section(self.audit_view)
        self.operators_vm.load()

    def _guard_owner_controls(self, window: MainWindow) -> None:
        guard = self.gate.guard
        for section in window.settings_view.sections.values():
            guard(section.save_button, QCoreApplication.translate(
                "OperatorScreens", "mudar as configurações da loja"))
        from cobrador_desktop.ui.views.regua_view import ReguaView
        from cobrador_desktop.ui.views.templates_view import TemplatesView

        if isinstance(window.reminders_view, ReguaView):
            guard(window.reminders_view.save_button, QCoreApplication.translate(
                "OperatorScreens", "mudar a régua"))

        for templates in window.reminders_view.findChildren(TemplatesView):
            guard(templates.submit_button, QCoreApplication.translate(
                "OperatorScreens", "enviar modelos para aprovação"))
        guard(window.debtors_view.export_button, QCoreApplication.translate(
                "OperatorScreens", "exportar a lista de devedores"))

    @staticmethod
    def _follow_in_inbox(window: MainWindow, session: SignedIn) -> None:
        vm = window.inbox_vm
        if vm is None:
            return
        window.inbox_view.who_row.setVisible(False)
        vm.pin_operator(session.operator_id)
        session.changed.connect(lambda _actor: vm.pin_operator(session.operator_id))

    def close(self) -> None:
        self.operators_vm.close()
        self.audit_vm.close()


class _SignedInExporter:
    """The list's export, asked for by the signed-in operator (only the owner may)."""

    def __init__(self, exporter: Any, session: SignedIn) -> None:
        self._exporter = exporter
        self._session = session

    async def export_list(self, *args: Any, **kwargs: Any) -> int:
        rows: int = await self._exporter.export_list(
            *args, operator_id=self._session.operator_id, **kwargs)
        return rows
