"""Desktop notifications for what debtors write (issue 6, desktop habits).

The inbox view-model's `inbound_arrived(conversation id, name, preview)` — emitted only for
messages the debtor wrote, never for this operator's own — becomes a tray notification:
"Maria Souza" / "Pode me mandar o PIX?". Several arriving together become one
"5 mensagens novas", and after a notification the next waits a few seconds (what came meanwhile
is summed up then), so a busy morning does not bury the desktop. Nothing is shown for the
conversation the operator is looking at. Clicking the notification asks to open that
conversation (or just the inbox, for a summary of several).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon

# arrivals this close together make one notification
GATHER_MS = 300
# after a notification, the next one waits at least this long
QUIET_MS = 5_000
SHOW_MS = 8_000
PREVIEW_MAX = 120


class InboxNotifier(QObject):
    """Turns `inbound_arrived` into throttled tray notifications."""

    # a notification went to the desktop: (title, text)
    notified = Signal(str, str)
    # the operator clicked the last notification: its conversation id, or None (several)
    open_requested = Signal(object)

    def __init__(self, tray: QSystemTrayIcon, watching: Callable[[int], bool], *,
                 gather_ms: int = GATHER_MS, quiet_ms: int = QUIET_MS,
                 parent: QObject | None = None) -> None:
        """Args:
            tray: where notifications show (`showMessage`) and are clicked (`messageClicked`).
            watching: whether the operator is looking at this conversation right now (the
                window is active, the inbox on screen with it open): then nothing is shown.
        """
        super().__init__(parent)
        self.tray = tray
        self._watching = watching
        self._pending: list[tuple[int, str, str]] = []
        self._target: int | None = None
        self._gather = QTimer(self)
        self._gather.setSingleShot(True)
        self._gather.setInterval(gather_ms)
        self._gather.timeout.connect(self._flush)
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(quiet_ms)
        self._quiet.timeout.connect(self._flush)
        tray.messageClicked.connect(lambda: self.open_requested.emit(self._target))

    def add(self, conversation_id: int, name: str, preview: str) -> None:
        """A debtor wrote (connect `InboxViewModel.inbound_arrived` here)."""
        if self._watching(conversation_id):
            return
        self._pending.append((conversation_id, name, preview))
        if not self._gather.isActive() and not self._quiet.isActive():
            self._gather.start()

    def _flush(self) -> None:
        pending = [p for p in self._pending if not self._watching(p[0])]
        self._pending.clear()
        if not pending:
            return
        conversations = {cid for cid, _name, _preview in pending}
        if len(pending) == 1:
            _cid, title, text = pending[0]
            text = text.strip() or self.tr("Nova mensagem")
            if len(text) > PREVIEW_MAX:
                text = text[:PREVIEW_MAX - 1].rstrip() + "…"
        else:
            title = self.tr("{n} mensagens novas").format(n=len(pending))
            names = list(dict.fromkeys(name for _cid, name, _preview in pending))
            text = ", ".join(names[:3])
            if len(names) > 3:
                text = self.tr("{names} e mais {n}").format(names=text, n=len(names) - 3)
        self._target = next(iter(conversations)) if len(conversations) == 1 else None
        self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, SHOW_MS)
        self.notified.emit(title, text)
        self._quiet.start()
