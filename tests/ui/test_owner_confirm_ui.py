"""What only the owner does from the screens, on a real database and the real services: confirming
a send the send guard leaves to the owner ("Confirmar e enviar…" with a note) and lifting a
"não sou eu" from a debtor's phones ("Não é mais engano…"). An operator finds both closed, with
the owner-only tooltip, and the services refuse them anyway.

Set COBRADOR_SHOTS=/some/dir to save the screens as PNGs (to look at them)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QInputDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.inbox import GuardVerdict, SendOutcome
from cobrador_desktop.domain.roles import Actor, Role
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.services.inbox import InboxService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Debt, DebtorPhone
from cobrador_desktop.ui.resources import stylesheet
from cobrador_desktop.ui.session import SignedIn
from cobrador_desktop.ui.viewmodels.debtor_detail_vm import DebtorDetailViewModel
from cobrador_desktop.ui.views.debtor_detail_view import DebtorDetailView
from cobrador_desktop.ui.widgets.composer import Composer
from cobrador_desktop.ui.widgets.inbox_debtor_panel import InboxDebtorPanel
from tests.fixtures.qt import run_async
from tests.ui.inbox_fake import FakeInboxSource
from tests.unit.services.test_inbox_service import queued, templates_shop
from tests.unit.services.test_owner_actions import audit, owner

T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
TZ = UTC
REMINDER = "lembrete_vencimento_v1"
OWNER_TIP = "Só o dono da loja pode confirmar este envio."


def _shot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("COBRADOR_SHOTS")
    if folder:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.setStyleSheet(stylesheet())
        QApplication.processEvents()
        widget.grab().save(str(Path(folder) / f"{name}.png"))
        app.setStyleSheet("")


def _ok(dialog: QInputDialog) -> Any:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    return box.button(QDialogButtonBox.StandardButton.Ok)


class Shop:
    """Maria owes R$ 89,90 since 2020 (possibly prescribed: the owner confirms a reminder);
    Rita is the owner, Ana an operator; Maria last wrote two days ago (templates only)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.inbox, self.ana, _bruno, self.cid = templates_shop(db, {})
        self.rita = owner(db)
        db.run_sync(lambda s: s.execute(update(Debt).values(due_date=date(2020, 11, 10))))
        db.run_sync(lambda s: s.execute(update(Conversation).values(
            last_inbound_at=T - timedelta(days=2))))
        self.detail = DebtorDetailService(db, clock=FakeClock(T), today=lambda: TODAY)


@pytest.fixture
def shop(sqlite_database: Database) -> Shop:
    return Shop(sqlite_database)


@pytest.fixture
def composer(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
             shop: Shop) -> Iterator[Composer]:
    del qasync_loop
    widget = Composer(shop.inbox, clock=FakeClock(T), tz=TZ)
    qtbot.addWidget(widget)
    widget.resize(720, 300)
    widget.show()
    yield widget
    widget.close_tasks()


def _open_reminder(qtbot: QtBot, composer: Composer, inbox: InboxService, cid: int,
                   operator: int, *, owner_: bool) -> None:
    header = run_async(asyncio.get_event_loop(), inbox.header(cid))
    composer.set_conversation(header, operator, owner=owner_)
    assert composer.stack.currentIndex() == composer.TEMPLATES  # the window closed
    picker = composer.picker
    qtbot.waitUntil(lambda: picker.list.count() > 0)
    row = next(i for i in range(picker.list.count()) if picker._choices[i].name == REMINDER)
    picker.list.setCurrentRow(row)
    qtbot.waitUntil(lambda: composer.verdict is not None and composer.verdict.level == "confirm")


def test_the_owner_confirms_a_reminder_of_an_old_debt_with_a_note(
        qtbot: QtBot, composer: Composer, shop: Shop) -> None:
    _open_reminder(qtbot, composer, shop.inbox, shop.cid, shop.rita, owner_=True)
    button = composer.picker.send_button
    assert button.text() == "Confirmar e enviar…" and button.isEnabled()
    assert composer.verdict_label.text().startswith("Precisa da confirmação do dono:")
    _shot(composer, "composer-owner-confirms")

    button.click()  # Voltar: nothing goes
    dialog = composer.confirm_dialog
    assert dialog is not None and dialog.isVisible()
    assert not _ok(dialog).isEnabled()  # no note, no confirmation
    dialog.setTextValue("   ")
    assert not _ok(dialog).isEnabled()
    _shot(dialog, "composer-confirm-note")
    dialog.reject()
    qtbot.wait(50)
    assert composer.confirm_dialog is None and queued(shop.db) == 0

    button.click()
    dialog = composer.confirm_dialog
    assert dialog is not None
    note = "Confissão de dívida assinada em 2024: não prescreveu"
    dialog.setTextValue(note)
    assert _ok(dialog).isEnabled()
    with qtbot.waitSignal(composer.sent, timeout=5000) as sent:
        _ok(dialog).click()
    assert isinstance(sent.args[0], SendOutcome)
    assert queued(shop.db) == 1
    [(who, details)] = audit(shop.db, "send.owner_confirmed")
    assert who == shop.rita and details["note"] == note
    assert details["codes"] == ["DEBT_OLD_NEEDS_OWNER"]


def test_an_operator_finds_the_confirmation_closed_and_the_service_refuses_it(
        qtbot: QtBot, composer: Composer, shop: Shop) -> None:
    _open_reminder(qtbot, composer, shop.inbox, shop.cid, shop.ana, owner_=False)
    button = composer.picker.send_button
    assert not button.isEnabled() and button.toolTip() == OWNER_TIP
    assert button.text() == "Enviar modelo"
    _shot(composer, "composer-operator-confirm-closed")
    choice = composer.picker.current()
    assert choice is not None
    composer._send_template(choice)  # forced past the closed button: still nothing asked
    assert composer.confirm_dialog is None and queued(shop.db) == 0


class _ConfirmingInbox(FakeInboxSource):
    """The in-memory inbox, with the guard asking the owner to confirm every reply."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock)
        self.verdict = GuardVerdict("confirm", (("DEBT_DISPUTED", "a dívida está contestada"),))
        self.notes: list[str | None] = []

    async def send_text(self, conversation_id: int, operator_id: int, text: str, *,
                        seen_message_id: int | None, send_at: datetime | None = None,
                        force: bool = False, confirm_note: str | None = None) -> SendOutcome:
        self.notes.append(confirm_note)
        self.verdict = GuardVerdict("allow")
        return await super().send_text(conversation_id, operator_id, text,
                                       seen_message_id=seen_message_id, send_at=send_at,
                                       force=force)


@pytest.mark.parametrize("is_owner", [True, False])
def test_enviar_becomes_confirmar_e_enviar_for_the_owner_only(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, is_owner: bool) -> None:
    clock = FakeClock(T)
    source = _ConfirmingInbox(clock)
    cid = source.add_conversation("Maria Souza", assigned=1)
    source.add_message(cid, "in", "Não devo isso", at=T - timedelta(hours=1))
    composer = Composer(source, clock=clock, tz=TZ)
    qtbot.addWidget(composer)
    composer.resize(720, 240)
    composer.show()
    composer.set_conversation(run_async(qasync_loop, source.header(cid)), 1, owner=is_owner)
    qtbot.keyClicks(composer.editor, "Oi Maria")  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: composer.verdict is not None)
    button = composer.send_button
    if not is_owner:
        assert not button.isEnabled() and button.toolTip() == OWNER_TIP
        composer.send()
        assert composer.confirm_dialog is None and source.notes == []
        _shot(composer, "composer-operator-enviar-closed")
        return
    assert button.text() == "Confirmar e enviar…" and button.isEnabled()
    assert button.toolTip() == ""
    _shot(composer, "composer-owner-enviar")
    composer.send()  # Ctrl+Enter asks too
    dialog = composer.confirm_dialog
    assert dialog is not None
    dialog.setTextValue("Ela pediu o boleto na loja")
    with qtbot.waitSignal(composer.sent, timeout=5000):
        _ok(dialog).click()
    assert source.notes == ["Ela pediu o boleto na loja"]
    assert composer.editor.toPlainText() == ""


# --------------------------------------------------------------------------- "não sou eu"


def _flag_wrong_party(shop: Shop) -> int:
    shop.db.run_sync(lambda s: s.execute(update(DebtorPhone).values(
        wrong_party=True, wrong_party_at=T - timedelta(days=1), cpc_status="denied")))
    phone_id: int = shop.db.run_sync(lambda s: s.scalar(select(DebtorPhone.phone_id)))
    return phone_id


def _flagged(shop: Shop) -> bool:
    return bool(shop.db.run_sync(lambda s: s.scalar(select(DebtorPhone.wrong_party))))


@pytest.fixture
def detail_view(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                shop: Shop) -> Iterator[tuple[DebtorDetailView, SignedIn]]:
    del qasync_loop
    session = SignedIn()
    vm = DebtorDetailViewModel(shop.detail, operator_id=lambda: session.operator_id)
    view = DebtorDetailView(vm, today=lambda: TODAY, tz=TZ)
    view.phones.follow(session)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    yield view, session
    vm.close()


def test_the_owner_lifts_a_wrong_party_flag_with_a_reason_and_the_ficha_refreshes(
        qtbot: QtBot, detail_view: tuple[DebtorDetailView, SignedIn], shop: Shop) -> None:
    view, session = detail_view
    phone = _flag_wrong_party(shop)
    session.set_actor(Actor(shop.rita, "Rita", Role.OWNER))
    view.open_debtor(1)
    qtbot.waitUntil(lambda: view.stack.currentIndex() == view.CONTENT)
    button = view.phones.clear_buttons[phone]
    assert button.text() == "Não é mais engano…" and button.isEnabled()
    _shot(view, "detail-owner-wrong-party")

    button.click()
    dialog = view.cancel_dialog
    assert dialog is not None and not _ok(dialog).isEnabled()
    _shot(dialog, "detail-wrong-party-reason")
    dialog.reject()  # Voltar: nothing changes
    qtbot.wait(50)
    assert _flagged(shop)

    button.click()
    dialog = view.cancel_dialog
    assert dialog is not None
    dialog.setTextValue("Ela mostrou o RG na loja")
    with qtbot.waitSignal(view.vm.wrong_party_cleared, timeout=5000):
        _ok(dialog).click()
    assert not _flagged(shop)
    assert view.phones.clear_buttons == {}  # the ficha shows the phone as it is now
    [(who, details)] = audit(shop.db, "phone.wrong_party_cleared")
    assert who == shop.rita and details["reason"] == "Ela mostrou o RG na loja"
    _shot(view, "detail-wrong-party-cleared")


def test_an_operator_finds_it_closed_and_the_service_refuses_it(
        qtbot: QtBot, detail_view: tuple[DebtorDetailView, SignedIn], shop: Shop) -> None:
    view, session = detail_view
    phone = _flag_wrong_party(shop)
    session.set_actor(Actor(shop.ana, "Ana", Role.OPERATOR))
    view.open_debtor(1)
    qtbot.waitUntil(lambda: view.stack.currentIndex() == view.CONTENT)
    button = view.phones.clear_buttons[phone]
    assert not button.isEnabled()
    assert button.toolTip().startswith("Só o dono da loja pode desfazer um “não sou eu”.")
    _shot(view, "detail-operator-wrong-party")

    dialog = view.ask_clear_wrong_party(view.vm.detail.phones[0])  # type: ignore[union-attr]
    assert dialog is not None
    dialog.setTextValue("Ela disse que é ela")
    with qtbot.waitSignal(view.vm.wrong_party_failed, timeout=5000):
        _ok(dialog).click()
    assert _flagged(shop)
    assert view.phones.error_label.text().startswith("Só o dono da loja pode")
    assert [d["action"] for _, d in audit(shop.db, "access.denied")] == [
        "phone.clear_wrong_party"]

    session.set_actor(Actor(shop.rita, "Rita", Role.OWNER))  # Trocar operador
    assert button.isEnabled()


def test_the_inbox_panel_lifts_it_for_the_owner_and_says_it_changed(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, shop: Shop) -> None:
    del qasync_loop
    phone = _flag_wrong_party(shop)
    session = SignedIn()
    session.set_actor(Actor(shop.rita, "Rita", Role.OWNER))
    panel = InboxDebtorPanel(shop.detail, today=lambda: TODAY, tz=TZ)
    panel.phones.follow(session)
    qtbot.addWidget(panel)
    panel.resize(300, 700)
    panel.show()
    panel.set_debtor(1, shop.rita)
    qtbot.waitUntil(lambda: phone in panel.phones.clear_buttons)
    _shot(panel, "inbox-panel-wrong-party")
    panel.phones.clear_buttons[phone].click()
    dialog = panel.reason_dialog
    assert dialog is not None
    dialog.setTextValue("O número voltou a ser dela")
    with qtbot.waitSignal(panel.changed, timeout=5000):
        _ok(dialog).click()
    assert not _flagged(shop) and panel.phones.clear_buttons == {}
    assert panel.vm is not None
    panel.vm.close()
