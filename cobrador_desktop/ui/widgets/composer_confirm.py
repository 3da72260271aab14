"""The owner's note that confirms a send the send guard asks the owner to confirm."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QInputDialog, QWidget

from cobrador_desktop.domain.inbox import GuardVerdict
from cobrador_desktop.ui.dialogs.reason_dialog import reason_dialog


def confirm_note_dialog(parent: QWidget, verdict: GuardVerdict | None,
                        send: Callable[[str], None]) -> QInputDialog:
    """A window-modal question for the owner's note (the audit log keeps it); `send(note)` once
    a note is written — Voltar sends nothing, and OK stays closed while the note is empty. The
    caller opens it (`open()`); it is deleted when closed."""
    reasons = " · ".join(message for _code, message in verdict.reasons) if verdict else ""
    question = QCoreApplication.translate(
        "Composer",
        "A regra de envio pede a confirmação do dono: {reason}\n\nPor que esta mensagem deve "
        "ir mesmo assim? A nota fica no registro de auditoria, com o seu nome.").format(
        reason=reasons)
    return reason_dialog(
        parent, title=QCoreApplication.translate("Composer", "Confirmar envio"),
        question=question, ok_text=QCoreApplication.translate("Composer", "Confirmar e enviar"),
        back_text=QCoreApplication.translate("Composer", "Voltar"), on_reason=send,
        required=True)
