"""Pages whose feature arrives in a later version: they say so, and never show made-up data."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from cobrador_desktop.ui.widgets.empty_state import EmptyState
from cobrador_desktop.ui.widgets.page_header import PageHeader


class _ComingSoonPage(QWidget):
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("page")

    def _lay_out(self, header: PageHeader, state: EmptyState) -> None:
        self.header = header
        self.empty_state = state
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(header)
        layout.addWidget(state, 1)


class InboxView(_ComingSoonPage):
    """Caixa de entrada: the shared WhatsApp inbox (a later version)."""

    #: the user asked to see the debtor list instead
    show_debtors_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header = PageHeader(self.tr("Caixa de entrada"),
                            self.tr("Conversas do WhatsApp com os devedores"))
        state = EmptyState(
            "inbox",
            self.tr("Nenhuma conversa por aqui ainda"),
            self.tr("A caixa de entrada vai reunir as conversas do WhatsApp com os devedores, "
                    "para a equipe responder junta pelo mesmo número, com respostas prontas de "
                    "um clique. Ela chega numa próxima versão; depois, é só conectar o número "
                    "do WhatsApp Business em Configurações. Enquanto isso, a lista de devedores "
                    "já está disponível."),
            badge=self.tr("Próxima versão"),
            action=self.tr("Ver devedores"),
        )
        self._lay_out(header, state)
        state.action_triggered.connect(self.show_debtors_requested)


class RemindersView(_ComingSoonPage):
    """Régua: automatic reminders before, on and after the due date (a later version)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header = PageHeader(self.tr("Régua de cobrança"),
                            self.tr("Lembretes automáticos antes e depois do vencimento"))
        state = EmptyState(
            "reminders",
            self.tr("Nenhum lembrete automático configurado"),
            self.tr("A régua vai mandar lembretes antes do vencimento, no dia e depois dele, "
                    "sempre em horário permitido, sem repetir mensagem no mesmo dia e só para "
                    "quem pode recebê-las. Ela chega numa próxima versão: por enquanto o "
                    "Cobrador Desktop não envia nenhuma mensagem sozinho."),
            badge=self.tr("Próxima versão"),
        )
        self._lay_out(header, state)


class ResultsView(_ComingSoonPage):
    """Resultados: recovery, response and payment rates (a later version)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header = PageHeader(self.tr("Resultados"),
                            self.tr("Quanto foi recuperado e o que funciona melhor"))
        state = EmptyState(
            "results",
            self.tr("Ainda não há resultados para mostrar"),
            self.tr("Aqui você vai acompanhar quanto foi recuperado, quantos devedores "
                    "responderam e pagaram, em quanto tempo, e quais mensagens funcionam "
                    "melhor. Os números vêm das suas cobranças de verdade, a partir de uma "
                    "próxima versão."),
            badge=self.tr("Próxima versão"),
        )
        self._lay_out(header, state)
