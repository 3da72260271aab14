"""Enviar depois…: a small date-and-time chooser for when a reply should go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from PySide6.QtCore import QDate, QDateTime, QTime, Signal
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

#: the earliest a scheduled reply may go, from now
MIN_DELAY = timedelta(minutes=5)


def _qdatetime(value: datetime) -> QDateTime:
    return QDateTime(QDate(value.year, value.month, value.day),
                     QTime(value.hour, value.minute))


def default_time(now: datetime, tz: tzinfo) -> datetime:
    """One hour from now, on the next quarter hour (shop time)."""
    local = (now.astimezone(tz) + timedelta(hours=1)).replace(second=0, microsecond=0)
    return local + timedelta(minutes=(15 - local.minute % 15) % 15)


class SendLaterDialog(QDialog):
    """Asks for a date and time in the shop's zone; `chosen` with it as an aware UTC instant."""

    #: the instant chosen (`datetime`, UTC)
    chosen = Signal(object)

    def __init__(self, now: datetime, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Enviar depois"))
        self._tz = tz
        self.when = QDateTimeEdit(_qdatetime(default_time(now, tz)), self)
        self.when.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.when.setCalendarPopup(True)
        self.when.setMinimumDateTime(_qdatetime((now + MIN_DELAY).astimezone(tz)))
        note = QLabel(self.tr("A mensagem espera na fila e sai nesse horário, se a janela de "
                              "24 horas e as regras de envio permitirem."), self)
        note.setWordWrap(True)
        note.setStyleSheet("color: #64748b;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Agendar"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Quando enviar:"), self))
        layout.addWidget(self.when)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(320)

    def chosen_time(self) -> datetime:
        """The date and time shown, as an aware UTC instant."""
        picked = self.when.dateTime()
        d, t = picked.date(), picked.time()
        local = datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=self._tz)
        return local.astimezone(UTC)

    def accept(self) -> None:
        self.chosen.emit(self.chosen_time())
        super().accept()
