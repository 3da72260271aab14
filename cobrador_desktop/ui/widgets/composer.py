"""The inbox's composer: write a reply (or a private note) to the open conversation.

While the debtor's 24-hour window is open the operator writes free text, with a countdown of
what is left (red in the last hour); once it closes (even mid-sentence: the text is kept) the
composer offers the approved templates instead. `/` at the start of a word lists the quick
replies; Enter or Tab puts the chosen one in, filled for this debtor. One-click buttons send the
PIX copia e cola, the shop's wa.me link or a call offer. The send guard's verdict is shown as the
operator types (a block disables Enviar). A verdict the owner may confirm turns Enviar into
"Confirmar e enviar…" for the owner, who writes a note for the audit log first; an operator finds
it disabled, saying why. Ctrl+Enter sends; a reply that crossed new messages asks before going
anyway; a refusal is explained under the box and the text stays.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, tzinfo

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent
from PySide6.QtWidgets import (
    QInputDialog,
    QMessageBox,
    QWidget,
)

from cobrador_desktop.domain.clock import Clock, SystemClock
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.inbox import (
    TYPING_HEARTBEAT,
    Collision,
    ConversationHeader,
    GuardVerdict,
    SendOutcome,
    TemplateChoice,
)
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.context import shop_timezone
from cobrador_desktop.ui.dialogs.known_error_dialog import translated
from cobrador_desktop.ui.dialogs.request_dialog import error_text
from cobrador_desktop.ui.tasks import TaskRunner
from cobrador_desktop.ui.viewmodels.inbox_ports import InboxSource
from cobrador_desktop.ui.widgets.composer_confirm import confirm_note_dialog
from cobrador_desktop.ui.widgets.composer_layout import ComposerLayout, repolish
from cobrador_desktop.ui.widgets.composer_text import CLOSED, verdict_text, window_state
from cobrador_desktop.ui.widgets.quick_reply_popup import QuickReplyAssist
from cobrador_desktop.ui.widgets.send_later import SendLaterDialog


class Composer(ComposerLayout):
    """Replies, templates, quick replies, actions and private notes for one conversation."""

    #: a reply, template or action was queued (`SendOutcome`)
    sent = Signal(object)
    #: the operator started (True, repeated every TYPING_HEARTBEAT while typing) or stopped
    #: (False: cleared, sent, another conversation) writing a reply
    typing_changed = Signal(bool)
    #: a private note was added (its message id)
    note_added = Signal(int)

    def __init__(self, source: InboxSource, parent: QWidget | None = None, *,
                 clock: Clock | None = None, tz: tzinfo | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._clock = clock or SystemClock()
        self._tz = tz or shop_timezone()
        self._tasks = TaskRunner("composer")
        self._header: ConversationHeader | None = None
        self._operator_id: int | None = None
        self._owner = False
        self._drafts: dict[int, str] = {}
        self._typing_since: datetime | None = None  # when typing_changed(True) last went out
        self._verdict: GuardVerdict | None = None
        self._check_generation = 0
        self._templates_for: int | None = None
        self._send_at: datetime | None = None
        self._busy = False
        self._loading_text = False
        self.collision_box: QMessageBox | None = None
        self.send_later_dialog: SendLaterDialog | None = None
        self.confirm_dialog: QInputDialog | None = None
        self.quick = QuickReplyAssist(self.editor, source, lambda: self.conversation_id,
                                      self._tasks)
        self.popup = self.quick.popup
        self._connect()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._refresh)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self._check_text)
        self._refresh()

    def _connect(self) -> None:
        self.note_button.toggled.connect(self._on_note_mode)
        self.later_button.clicked.connect(self.open_send_later)
        self.schedule_chip.clicked.connect(lambda: self.set_send_at(None))
        self.editor.installEventFilter(self)
        self.editor.textChanged.connect(self._on_text)
        self.picker.send_requested.connect(self._send_template)
        self.picker.selection_changed.connect(self._check_template)
        self.quick.failed.connect(self._show_error)
        for action, button in self.action_buttons.items():
            button.clicked.connect(lambda _c=False, a=action: self.send_action(a))
        self.send_button.clicked.connect(self.send)
        self.send_shortcut.activated.connect(self.send)

    # ------------------------------------------------------------------ conversation
    def set_conversation(self, header: ConversationHeader | None, operator_id: int | None, *,
                         owner: bool = False) -> None:
        """Show `header`'s conversation for `operator_id` (None: nobody chosen on this PC);
        `owner`: they are the shop's owner (may confirm what the send guard asks the owner to).

        The same conversation again (a refreshed header) keeps what is typed; another one keeps
        this one's text as a draft and brings back its own."""
        old = self._header.row.id if self._header is not None else None
        new = header.row.id if header is not None else None
        self._header, self._operator_id, self._owner = header, operator_id, owner
        if new != old:
            if old is not None and self.editor.toPlainText().strip():
                self._drafts[old] = self.editor.toPlainText()
            self._stop_typing()
            self._loading_text = True
            self.editor.setPlainText(self._drafts.pop(new, "") if new is not None else "")
            self._loading_text = False
            self._check_generation += 1
            self._templates_for = None
            self._send_at = None
            self.popup.hide()
            if self.collision_box is not None:
                self.collision_box.reject()
            if self.confirm_dialog is not None:
                self.confirm_dialog.reject()
            self.note_button.setChecked(False)
            self._show_error(None)
            self._show_verdict(None)
            if self.editor.toPlainText():
                self._debounce.start()
        if header is None:
            self._tick.stop()
        elif not self._tick.isActive():
            self._tick.start()
        self._refresh()

    @property
    def conversation_id(self) -> int | None:
        """The conversation being answered."""
        return self._header.row.id if self._header is not None else None

    @property
    def note_mode(self) -> bool:
        """True while the box writes a private note."""
        return self.note_button.isChecked()

    @property
    def send_at(self) -> datetime | None:
        """When the next reply goes ("Enviar depois…"); None: now."""
        return self._send_at

    def reply_blocker(self) -> str | None:
        """Why this operator cannot reply here now (pt-BR), or None."""
        header = self._header
        if header is None:
            return self.tr("Escolha uma conversa para responder.")
        if self._operator_id is None:
            return self.tr("Escolha quem você é em “Você é:” no alto da caixa de entrada para "
                           "responder.")
        row = header.row
        if row.assigned_operator_id is not None and row.assigned_operator_id != self._operator_id:
            return self.tr("Esta conversa está com {name} — peça a transferência.").format(
                name=row.assigned_operator_name or self.tr("outra pessoa"))
        if row.typing_operator_id is not None and row.typing_operator_id != self._operator_id:
            return self.tr("{name} está respondendo…").format(
                name=row.typing_operator_name or self.tr("Outra pessoa"))
        return None

    def window_is_open(self) -> bool:
        """Free text may go now."""
        header = self._header
        return header is not None and window_state(header.window_closes_at,
                                                   self._clock.now())[1] != CLOSED

    def _refresh(self) -> None:
        """Bring every control in line with the conversation, the clock and what is typed."""
        header = self._header
        blocker = self.reply_blocker()
        can_note = header is not None and self._operator_id is not None
        can_reply = blocker is None
        note = self.note_mode
        if header is not None:
            text, state = window_state(header.window_closes_at, self._clock.now())
            self.window_label.setText(text)
            if self.window_label.property("state") != state:
                repolish(self.window_label, "state", state)
        else:
            self.window_label.clear()
        open_window = self.window_is_open()
        shown_blocker = blocker if not (note and can_note) else None
        self.banner.setText(shown_blocker or "")
        self.banner.setVisible(bool(shown_blocker) and header is not None)
        page = self.EDITOR if (open_window or note or header is None) else self.TEMPLATES
        if page != self.stack.currentIndex():
            self.stack.setCurrentIndex(page)
            if page == self.TEMPLATES and self.editor.toPlainText().strip():
                self._show_error_text(self.tr(
                    "A janela de 24 horas fechou. Seu texto foi guardado: use um modelo abaixo "
                    "ou mude para Nota interna."))
        if page == self.TEMPLATES and header is not None and self._templates_for != header.row.id:
            self._load_templates(header.row.id)
        blocked = self._verdict is not None and self._verdict.level == "block"
        confirming = self.needs_confirmation()
        if confirming and not self._owner:
            blocked = True  # only the owner may confirm (the service refuses anyone else)
        owner_tip = self.tr("Só o dono da loja pode confirmar este envio.") \
            if confirming and not self._owner else ""
        self.editor.setEnabled(can_note if note else can_reply)
        self.editor.setReadOnly(self._busy)
        self.editor.setPlaceholderText(
            self.tr("Nota interna: só a equipe vê (Ctrl+Enter salva)") if note else
            self.tr("Escreva a resposta… (/ para respostas rápidas · Ctrl+Enter envia)"))
        self.note_button.setEnabled(can_note and not self._busy)
        self.later_button.setEnabled(can_reply and not note and not self._busy)
        self.schedule_chip.setVisible(self._send_at is not None and not note)
        for button in self.action_buttons.values():
            button.setEnabled(can_reply and open_window and not self._busy)
            button.setVisible(not note and page == self.EDITOR)
        has_text = bool(self.editor.toPlainText().strip())
        if note:
            self.send_button.setText(self.tr("Salvar nota"))
            self.send_button.setEnabled(can_note and has_text and not self._busy)
        elif confirming and self._owner:
            self.send_button.setText(self.tr("Confirmar e enviar…"))
            self.send_button.setEnabled(can_reply and open_window and has_text and not self._busy)
        else:
            self.send_button.setText(self.tr("Agendar (Ctrl+Enter)") if self._send_at
                                     else self.tr("Enviar (Ctrl+Enter)"))
            self.send_button.setEnabled(can_reply and open_window and has_text
                                        and not blocked and not self._busy)
        self.send_button.setToolTip("" if note else owner_tip)
        self.send_button.setVisible(page == self.EDITOR)
        self.picker.set_send_enabled(can_reply and not blocked and not self._busy)
        self.picker.set_confirming(confirming and self._owner, owner_tip)

    # ------------------------------------------------------------------ typing
    def _on_text(self) -> None:
        if self._loading_text:
            return
        self._show_error(None)
        if not self.note_mode:
            if self.editor.toPlainText().strip() and self.reply_blocker() is None:
                now = self._clock.now()
                if self._typing_since is None or now - self._typing_since >= TYPING_HEARTBEAT:
                    self._typing_since = now
                    self.typing_changed.emit(True)
            else:
                self._stop_typing()
            self._debounce.start()
        self.quick.update()
        self._refresh()

    def _stop_typing(self) -> None:
        if self._typing_since is not None:
            self._typing_since = None
            self.typing_changed.emit(False)

    def _on_note_mode(self, note: bool) -> None:
        repolish(self.editor, "note", note)
        if note:
            self._stop_typing()
            self._check_generation += 1
            self._show_verdict(None)
        elif self.editor.toPlainText().strip():
            self._on_text()
        self._refresh()

    # ------------------------------------------------------------------ the send guard
    def _check_text(self) -> None:
        text = self.editor.toPlainText().strip()
        self._check_generation += 1
        if self.note_mode or not text or self._header is None or not self.window_is_open():
            self._show_verdict(None)
            return
        self._tasks.spawn(self._check(self._check_generation, self._header.row.id, "text", text),
                          "check")

    def _check_template(self, choice: TemplateChoice | None) -> None:
        self._check_generation += 1
        if choice is None or self._header is None:
            self._show_verdict(None)
            return
        self._tasks.spawn(self._check(self._check_generation, self._header.row.id, choice.name,
                                      ""), "check")

    async def _check(self, generation: int, conversation_id: int, kind: str, text: str) -> None:
        try:
            verdict = await self._source.check(conversation_id, kind, text)
        except KnownError as error:
            if generation == self._check_generation:
                self._show_error(error)
            return
        if generation == self._check_generation:
            self._show_verdict(verdict)

    def _show_verdict(self, verdict: GuardVerdict | None) -> None:
        self._verdict = verdict
        text = verdict_text(verdict, self._tz)
        self.verdict_label.setText(text)
        self.verdict_label.setVisible(bool(text))
        level = verdict.level if verdict is not None else ""
        if self.verdict_label.property("level") != level:
            repolish(self.verdict_label, "level", level)
        self._refresh()

    @property
    def verdict(self) -> GuardVerdict | None:
        """The send guard's last answer for what is typed (or the selected template)."""
        return self._verdict

    def needs_confirmation(self) -> bool:
        """The send guard asks the owner to confirm what is typed (or the selected template)."""
        return (not self.note_mode and self._verdict is not None
                and self._verdict.level == "confirm")

    def _confirm_then(self, send: Callable[[str], None]) -> QInputDialog | None:
        """Ask the owner for the note that confirms this send; `send(note)` once written
        (Voltar sends nothing; the dialog accepts no empty note)."""
        if self.confirm_dialog is not None:
            return None
        dialog = confirm_note_dialog(self, self._verdict, send)
        dialog.finished.connect(lambda _r: setattr(self, "confirm_dialog", None))
        self.confirm_dialog = dialog
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ sending
    def send(self) -> None:
        """Ctrl+Enter: save the note, send the reply, or send the selected template."""
        header, operator = self._header, self._operator_id
        if header is None or operator is None or self._busy:
            return
        cid, seen = header.row.id, header.last_message_id
        text = self.editor.toPlainText().strip()
        if self.note_mode:
            if text:
                self._set_busy(True)
                self._tasks.spawn(self._add_note(cid, operator, text), "note")
            return
        if not self.send_button.isEnabled() and self.stack.currentIndex() == self.EDITOR:
            return
        if self.stack.currentIndex() == self.TEMPLATES:
            choice = self.picker.current()
            if choice is not None and self.picker.send_button.isEnabled():
                self._send_template(choice)
            return
        send_at = self._send_at
        if self.needs_confirmation():
            if self._owner:
                self._confirm_then(lambda note: self._submit(
                    cid, lambda force: self._source.send_text(
                        cid, operator, text, seen_message_id=seen, send_at=send_at,
                        force=force, confirm_note=note), text))
            return
        self._submit(cid, lambda force: self._source.send_text(
            cid, operator, text, seen_message_id=seen, send_at=send_at, force=force), text)

    def send_action(self, action: str) -> None:
        """One click: `pix`, `wa_link` or `call_offer` goes to the debtor now."""
        header, operator = self._header, self._operator_id
        if header is None or operator is None or self._busy or self.reply_blocker():
            return
        cid, seen = header.row.id, header.last_message_id
        self._submit(cid, lambda force: self._source.send_action(
            cid, operator, action, seen_message_id=seen, force=force), None)

    def _send_template(self, choice: TemplateChoice) -> None:
        header, operator = self._header, self._operator_id
        if header is None or operator is None or self._busy or self.reply_blocker():
            return
        cid, seen, send_at = header.row.id, header.last_message_id, self._send_at
        if self.needs_confirmation():
            if self._owner:
                self._confirm_then(lambda note: self._submit(
                    cid, lambda force: self._source.send_template(
                        cid, operator, choice.name, choice.language, seen_message_id=seen,
                        send_at=send_at, force=force, confirm_note=note), None))
            return
        self._submit(cid, lambda force: self._source.send_template(
            cid, operator, choice.name, choice.language, seen_message_id=seen, send_at=send_at,
            force=force), None)

    def _submit(self, cid: int, call: Callable[[bool], Awaitable[SendOutcome]],
                text: str | None, force: bool = False) -> None:
        self._set_busy(True)
        self._tasks.spawn(self._do_send(cid, call, text, force), "send")

    async def _do_send(self, cid: int, call: Callable[[bool], Awaitable[SendOutcome]],
                       text: str | None, force: bool) -> None:
        try:
            outcome = await call(force)
        except Collision as error:
            self._set_busy(False)
            if cid == self.conversation_id:
                self._ask_collision(error, cid, call, text)
            return
        except KnownError as error:
            self._set_busy(False)
            if cid == self.conversation_id:
                self._show_error(error)
            return
        except BaseException:
            self._set_busy(False)
            raise
        self._set_busy(False)
        self._sent_done(cid, text)
        self.sent.emit(outcome)

    def _sent_done(self, cid: int, text: str | None) -> None:
        if cid != self.conversation_id:
            if text is not None and self._drafts.get(cid, "").strip() == text:
                del self._drafts[cid]
            return
        self._send_at = None
        self._show_error(None)
        if text is not None:
            self.editor.clear()
        self._refresh()

    def _ask_collision(self, error: Collision, cid: int,
                       call: Callable[[bool], Awaitable[SendOutcome]], text: str | None) -> None:
        params = dict(error.params)
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Mensagens novas"),
                          translated(error.context, error.message_source, params), parent=self)
        box.setInformativeText(self.tr(
            "Leia as mensagens novas antes. Enviar mesmo assim?"))
        go = box.addButton(self.tr("Enviar mesmo assim"), QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton(self.tr("Ler antes"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: object) -> None:
            self.collision_box = None
            if button is go and cid == self.conversation_id:
                self._submit(cid, call, text, force=True)

        box.buttonClicked.connect(answered)
        box.finished.connect(lambda _r: setattr(self, "collision_box", None))
        self.collision_box = box
        box.open()

    async def _add_note(self, cid: int, operator: int, text: str) -> None:
        try:
            message_id = await self._source.add_note(cid, operator, text)
        except KnownError as error:
            self._set_busy(False)
            if cid == self.conversation_id:
                self._show_error(error)
            return
        except BaseException:
            self._set_busy(False)
            raise
        self._set_busy(False)
        self._sent_done(cid, text)
        self.note_added.emit(message_id)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._refresh()

    def _show_error(self, error: KnownError | None) -> None:
        self._show_error_text(error_text(error) if error is not None else "")

    def _show_error_text(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    # ------------------------------------------------------------------ templates
    def _load_templates(self, cid: int) -> None:
        self._templates_for = cid
        self.picker.set_loading()
        self._tasks.spawn(self._templates(cid), "templates")

    async def _templates(self, cid: int) -> None:
        try:
            choices = await self._source.templates(cid)
        except KnownError as error:
            if cid == self.conversation_id:
                self._templates_for = None
                self._show_error(error)
            return
        if cid == self.conversation_id:
            self.picker.set_templates(choices)
            self._refresh()

    # ------------------------------------------------------------------ send later
    def open_send_later(self) -> SendLaterDialog | None:
        """Ask when the next reply should go."""
        if self.send_later_dialog is not None or self.reply_blocker():
            return None
        dialog = SendLaterDialog(self._clock.now(), self._tz, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self.set_send_at)
        dialog.finished.connect(lambda _r: setattr(self, "send_later_dialog", None))
        self.send_later_dialog = dialog
        dialog.open()
        return dialog

    def set_send_at(self, when: datetime | None) -> None:
        """Send the next reply at `when` (None: now)."""
        self._send_at = when
        if when is not None:
            self.schedule_chip.setText(self.tr("Agendada: {when} ✕").format(
                when=fmt.format_datetime(when, self._tz)))
        self._refresh()

    # ------------------------------------------------------------------ keys
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                    and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.send()
                return True
        return super().eventFilter(watched, event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.popup.hide()
        super().hideEvent(event)

    def close_tasks(self) -> None:
        """Stop what is under way (the window is closing)."""
        self._tick.stop()
        self._debounce.stop()
        self._tasks.cancel_all()
