"""The inbox's composer over the in-memory inbox: the window's countdown, templates once it
closes, `/` quick replies, Ctrl+Enter, collisions, the send guard's verdict, errors and notes.

Set COBRADOR_SHOTS=/some/dir to save the composer's states as PNGs (to look at them)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.inbox import (
    TYPING_HEARTBEAT,
    ConversationHeader,
    GuardVerdict,
    SendOutcome,
    SendRefused,
    TemplateChoice,
)
from cobrador_desktop.ui.resources import stylesheet
from cobrador_desktop.ui.widgets.composer import Composer
from tests.fixtures.qt import run_async
from tests.ui.inbox_fake import FakeInboxSource

TZ = ZoneInfo("America/Sao_Paulo")
ME, OTHER = 1, 2
CTRL = Qt.KeyboardModifier.ControlModifier


def _shot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("COBRADOR_SHOTS")
    if folder:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.setStyleSheet(stylesheet())  # as the program looks
        QApplication.processEvents()  # let the layout settle first
        widget.grab().save(str(Path(folder) / f"{name}.png"))
        app.setStyleSheet("")


class Inbox(FakeInboxSource):
    """The fake with a second template that cannot be used."""

    async def templates(self, conversation_id: int) -> tuple[TemplateChoice, ...]:
        usable = await super().templates(conversation_id)
        paused = TemplateChoice(
            name="oferta_quitacao", language="pt_BR", purpose="offer", category="MARKETING",
            status="paused", quality="RED", values=(), preview="", buttons=(), debt_id=None,
            blocked_reason="pausado pela Meta por baixa qualidade")
        return (paused, *usable)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))


@pytest.fixture
def source(clock: FakeClock) -> Inbox:
    return Inbox(clock)


@pytest.fixture
def composer(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
             clock: FakeClock, source: Inbox) -> Iterator[Composer]:
    del qasync_loop
    widget = Composer(source, clock=clock, tz=TZ)
    qtbot.addWidget(widget)
    widget.resize(720, 240)
    widget.show()
    yield widget
    widget.close_tasks()


def _conversation(source: Inbox, clock: FakeClock, *, hours_ago: float = 20.8,
                  assigned: int | None = ME) -> int:
    cid = source.add_conversation("Maria Souza", assigned=assigned)
    source.add_message(cid, "in", "Pode mandar o PIX?",
                       at=clock.now() - timedelta(hours=hours_ago))
    return cid


def _open(composer: Composer, source: Inbox, cid: int,
          operator: int | None = ME) -> ConversationHeader:
    header = run_async(asyncio.get_event_loop(), source.header(cid))
    composer.set_conversation(header, operator)
    return header


def _type(qtbot: QtBot, composer: Composer, text: str) -> None:
    qtbot.keyClicks(composer.editor, text)  # type: ignore[no-untyped-call]


def test_countdown_ticks_turns_red_in_the_last_hour_and_templates_replace_the_box(
        qtbot: QtBot, composer: Composer, source: Inbox, clock: FakeClock) -> None:
    cid = _conversation(source, clock, hours_ago=20.8)  # 3 h 12 min left
    _open(composer, source, cid)
    assert composer.window_label.text() == "Janela aberta: 3 h 12 min"
    assert composer.window_label.property("state") == "open"
    assert composer.stack.currentWidget() is composer.editor
    _type(qtbot, composer, "Oi Maria, tudo bem?")
    _shot(composer, "composer-open")

    clock.advance(timedelta(hours=2, minutes=30))
    qtbot.waitUntil(lambda: composer.window_label.text() == "Janela aberta: 42 min",
                    timeout=2500)
    assert composer.window_label.property("state") == "closing"

    # the window closes while the operator types: the text stays, the templates come
    clock.advance(timedelta(minutes=43))
    qtbot.waitUntil(lambda: composer.stack.currentWidget() is composer.picker, timeout=2500)
    assert composer.window_label.text() == "Janela de 24 h fechada: só modelos aprovados"
    assert composer.editor.toPlainText() == "Oi Maria, tudo bem?"
    assert "Seu texto foi guardado" in composer.error_label.text()
    qtbot.waitUntil(lambda: composer.picker.list.count() == 2)
    # a note may still be written from the kept text
    composer.note_button.setChecked(True)
    assert composer.stack.currentWidget() is composer.editor
    assert composer.editor.toPlainText() == "Oi Maria, tudo bem?"


def test_closed_window_lists_templates_blocked_one_disabled_and_sends_the_chosen(
        qtbot: QtBot, composer: Composer, source: Inbox, clock: FakeClock) -> None:
    cid = _conversation(source, clock, hours_ago=30)
    header = _open(composer, source, cid)
    assert composer.stack.currentWidget() is composer.picker
    picker = composer.picker
    qtbot.waitUntil(lambda: picker.list.count() == 2)
    blocked, usable = picker.list.item(0), picker.list.item(1)
    assert not blocked.flags() & Qt.ItemFlag.ItemIsEnabled
    assert "pausado pela Meta por baixa qualidade" in blocked.text()
    assert "Marketing" in blocked.text() and "Pausado" in blocked.text()
    assert usable.flags() & Qt.ItemFlag.ItemIsEnabled
    assert "Utilidade" in usable.text() and "Aprovado" in usable.text()
    chosen = picker.current()
    assert chosen is not None and chosen.name == "lembrete_vencido"
    assert picker.preview.text() == "Olá Maria, sua parcela de R$ 150,00 está em aberto."
    assert "Já paguei" in picker.buttons_label.text()
    assert not composer.action_buttons["pix"].isVisible()  # free text: not now
    # the guard is asked about the template itself
    qtbot.waitUntil(lambda: ("check", (cid, "lembrete_vencido", "")) in source.calls)
    _shot(composer, "composer-templates")

    with qtbot.waitSignal(composer.sent) as sent:
        qtbot.mouseClick(picker.send_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    outcome = sent.args[0]
    assert isinstance(outcome, SendOutcome)
    assert ("send_template", (cid, ME, "lembrete_vencido", "pt_BR", header.last_message_id,
                              None, False)) in source.calls


def test_slash_lists_quick_replies_as_typed_and_enter_inserts_the_filled_text(
        qtbot: QtBot, composer: Composer, source: Inbox, clock: FakeClock) -> None:
    cid = _conversation(source, clock)
    _open(composer, source, cid)
    composer.editor.setFocus()
    _type(qtbot, composer, "Claro! /")
    qtbot.waitUntil(lambda: composer.popup.isVisible())
    assert [r.shortcut for r in composer.popup.replies] == ["/pix", "/obrigado"]
    _type(qtbot, composer, "pi")
    assert [r.shortcut for r in composer.popup.replies] == ["/pix"]
    _shot(composer.popup, "composer-quick-replies")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    assert not composer.popup.isVisible()
    qtbot.waitUntil(lambda: composer.editor.toPlainText() == "Claro! Segue o PIX: 00020126PIXFAKE")
    assert ("fill_quick_reply", (cid, "Segue o PIX: {pix}")) in source.calls

    # a slash inside a word is not a shortcut; Esc closes the list and keeps the text
    _type(qtbot, composer, " e/ou")
    assert not composer.popup.isVisible()
    _type(qtbot, composer, " /o")
    qtbot.waitUntil(lambda: composer.popup.isVisible())
    qtbot.keyClick(composer.editor, Qt.Key.Key_Escape)  # type: ignore[no-untyped-call]
    assert not composer.popup.isVisible()
    assert composer.editor.toPlainText().endswith("e/ou /o")


def test_ctrl_enter_sends_with_the_last_seen_message_clears_and_stops_typing(
        qtbot: QtBot, composer: Composer, source: Inbox, clock: FakeClock) -> None:
    cid = _conversation(source, clock)
    header = _open(composer, source, cid)
    typing: list[bool] = []
    composer.typing_changed.connect(typing.append)
    _type(qtbot, composer, "Oi")
    assert typing == [True]
    _type(qtbot, composer, " Ma")
    assert typing == [True]  # no heartbeat yet
    clock.advance(TYPING_HEARTBEAT)
    _type(qtbot, composer, "ria")
    assert typing == [True, True]  # renewed while typing goes on
    with qtbot.waitSignal(composer.sent) as sent:
        qtbot.keyClick(composer.editor, Qt.Key.Key_Return, CTRL)  # type: ignore[no-untyped-call]
    assert isinstance(sent.args[0], SendOutcome)
    assert ("send_text", (cid, ME, "Oi Maria", header.last_message_id, None, False)) \
        in source.calls
    assert composer.editor.toPlainText() == ""
    assert typing == [True, True, False]


def test_collision_asks_and_sends_anyway_with_force(
        qtbot: QtBot, composer: Composer, source: Inbox, clock: FakeClock) -> None:
    cid = _conversation(source, clock)
    _open(composer, source, cid)
    source.receive(cid, "Já paguei, olha o comprovante")  # arrives while the operator types
    _type(qtbot, composer, "Segue o PIX")
    composer.send()
    qtbot.waitUntil(lambda: composer.collision_box is not None)
    box = composer.collision_box
    assert box is not None
    assert "Chegaram 1 mensagem(ns)" in box.text()
    assert "Enviar mesmo assim?" in box.informativeText()
    assert composer.editor.toPlainText() == "Segue o PIX"  # nothing sent yet
    go = next(b for b in box.buttons()
              if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    with qtbot.waitSignal(composer.sent):
        go.click()
    assert [c[1][-1] for c in source.calls if c[0] == "send_text"] == [False, True]
    assert composer.editor.toPlainText() == ""


def test_block_verdict_is_shown_and_disables_send_warn_does_not(
        qtbot: QtBot, composer: Composer, source: Inbox, clock: FakeClock) -> None:
    cid = _conversation(source, clock)
    _open(composer, source, cid)
    source.verdict = GuardVerdict("block", (("quiet_hours", "fora do horário de contato"),),
                                  retry_at=datetime(2026, 11, 24, 11, 0, tzinfo=UTC))
    _type(qtbot, composer, "Oi Maria")
    qtbot.waitUntil(lambda: composer.verdict is not None)  # after the ~300 ms pause
    assert composer.verdict_label.text() == (
        "Não pode enviar agora: fora do horário de contato — poderá enviar a partir de "
        "24/11/2026 08:00.")
    assert not composer.send_button.isEnabled()
    _shot(composer, "composer-blocked")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, CTRL)  # type: ignore[no-untyped-call]
    assert not [c for c in source.calls if c[0] == "send_text"]

    source.verdict = GuardVerdict("warn", (("late", "o devedor já recebeu 2 mensagens hoje"),))
    _type(qtbot, composer, "!")
    qtbot.waitUntil(lambda: composer.verdict is not None and composer.verdict.level == "warn")
    assert composer.verdict_label.text() == "Atenção: o devedor já recebeu 2 mensagens hoje"
    assert composer.send_button.isEnabled()


def test_a_refusal_is_explained_under_the_box_and_the_text_stays(
        qtbot: QtBot, composer: Composer, source: Inbox, clock: FakeClock) -> None:
    cid = _conversation(source, clock)
    _open(composer, source, cid)
    source.fail["send_text"] = SendRefused(reason="o número pediu para não receber mensagens")
    _type(qtbot, composer, "Oi Maria")
    composer.send()
    qtbot.waitUntil(lambda: composer.error_label.isVisible())
    assert composer.error_label.text().startswith(
        "Mensagem não enviada: o número pediu para não receber mensagens\nNada foi colocado")
    assert composer.editor.toPlainText() == "Oi Maria"
    assert composer.send_button.isEnabled()  # may try again


def test_note_mode_adds_a_private_note_with_ctrl_enter(
        qtbot: QtBot, composer: Composer, source: Inbox, clock: FakeClock) -> None:
    cid = _conversation(source, clock, hours_ago=30)  # notes need no window
    _open(composer, source, cid)
    typing: list[bool] = []
    composer.typing_changed.connect(typing.append)
    composer.note_button.setChecked(True)
    assert composer.editor.property("note") is True
    _type(qtbot, composer, "Disse que recebe dia 5")
    _shot(composer, "composer-note")
    with qtbot.waitSignal(composer.note_added) as added:
        qtbot.keyClick(composer.editor, Qt.Key.Key_Return, CTRL)  # type: ignore[no-untyped-call]
    assert ("add_note", (cid, ME, "Disse que recebe dia 5")) in source.calls
    note = next(m for m in run_async(asyncio.get_event_loop(), source.messages(cid)).messages
                if m.id == added.args[0])
    assert note.direction == "note"
    assert composer.editor.toPlainText() == ""
    assert typing == []  # a note holds no typing lock
    assert not [c for c in source.calls if c[0] == "send_text" or c[1][1:2] == ("text",)]


def test_disabled_with_the_reason_for_someone_elses_conversation_or_typing(
        qtbot: QtBot, composer: Composer, source: Inbox, clock: FakeClock) -> None:
    cid = _conversation(source, clock, assigned=OTHER)
    _open(composer, source, cid)
    assert composer.banner.text() == "Esta conversa está com Marcos Lima — peça a transferência."
    assert not composer.editor.isEnabled() and not composer.send_button.isEnabled()
    assert not composer.action_buttons["pix"].isEnabled()

    mine = _conversation(source, clock)
    source.lock(mine, OTHER)
    _open(composer, source, mine)
    assert composer.banner.text() == "Marcos Lima está respondendo…"
    assert not composer.editor.isEnabled()
    _shot(composer, "composer-someone-typing")

    _open(composer, source, mine, operator=None)
    assert "Escolha quem você é" in composer.banner.text()
    assert not composer.editor.isEnabled() and not composer.note_button.isEnabled()


def test_one_click_pix_and_send_later(
        qtbot: QtBot, composer: Composer, source: Inbox, clock: FakeClock) -> None:
    cid = _conversation(source, clock)
    header = _open(composer, source, cid)
    with qtbot.waitSignal(composer.sent):
        qtbot.mouseClick(composer.action_buttons["pix"], Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert ("send_action", (cid, ME, "pix", header.last_message_id, False)) in source.calls

    header = _open(composer, source, cid)  # the header after the PIX went out
    dialog = composer.open_send_later()
    assert dialog is not None
    assert dialog.chosen_time() == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 11:00 local
    dialog.accept()
    assert composer.send_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert composer.send_button.text() == "Agendar (Ctrl+Enter)"
    assert composer.schedule_chip.text() == "Agendada: 23/11/2026 11:00 ✕"
    _type(qtbot, composer, "Lembrete para sexta")
    with qtbot.waitSignal(composer.sent) as sent:
        composer.send()
    assert sent.args[0].scheduled_for == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert composer.send_at is None  # the next one goes now


def test_drafts_stay_with_their_conversation(
        qtbot: QtBot, composer: Composer, source: Inbox, clock: FakeClock) -> None:
    first, second = _conversation(source, clock), _conversation(source, clock)
    typing: list[bool] = []
    composer.typing_changed.connect(typing.append)
    _open(composer, source, first)
    _type(qtbot, composer, "Rascunho da Maria")
    _open(composer, source, second)
    assert composer.editor.toPlainText() == ""
    assert typing == [True, False]  # leaving the conversation releases the lock
    # the same conversation refreshed keeps the text
    _type(qtbot, composer, "Outro")
    _open(composer, source, second)
    assert composer.editor.toPlainText() == "Outro"
    _open(composer, source, first)
    assert composer.editor.toPlainText() == "Rascunho da Maria"
