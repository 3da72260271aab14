"""No path to the outbox skips the send guard (COMPLIANCE.md §2.1: "there is no bypass path").

(a) Every place in `cobrador_desktop/` that creates an outbox row — `OutboxItem(...)`, an insert
    into the outbox table, a call of `add_outbound`, `enqueue` or `enqueue_in` — is found by
    walking the source, and the set must equal `KNOWN`: a new sender is added here consciously,
    with the test that shows the guard's refusal leaves the outbox untouched.
(b) Each known caller has such a test (`PROOFS`), and each is shown to depend on the guard: with
    the guard's verdict replaced by "allowed" in that caller, the test fails.
(c) The sender's re-check (a queued row whose number then opts out is cancelled, never sent) is in
    `PROOFS` too, under the sender.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import cobrador_desktop
from cobrador_desktop.domain.policy import Decision
from cobrador_desktop.storage.db import Database

PACKAGE = Path(cobrador_desktop.__file__).parent
#: calls that put a row in the outbox
SINKS = {"OutboxItem", "add_outbound", "enqueue", "enqueue_in"}

#: (what it calls, where: "module:Class.function") for every path into the outbox
KNOWN = {
    ("OutboxItem", "cobrador_desktop.storage.repos.outbox:add_outbound"),
    ("add_outbound", "cobrador_desktop.services.outbox:OutboxService.enqueue_in"),
    ("add_outbound", "cobrador_desktop.storage.repos.inbound_answers:queue_reply"),
    ("enqueue_in", "cobrador_desktop.services.outbox:OutboxService.enqueue"),
    ("enqueue_in", "cobrador_desktop.services.reminder_day:record_day"),
    ("enqueue_in", "cobrador_desktop.services.inbox_send:queue"),
}


def _sinks_in(path: Path, root: Path = PACKAGE) -> Iterator[tuple[str, str]]:
    module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
    source = path.read_text(encoding="utf-8")

    def walk(node: ast.AST, scope: tuple[str, ...]) -> Iterator[tuple[str, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                yield from walk(child, (*scope, child.name))
                continue
            if isinstance(child, ast.Call):
                func = child.func
                name = (func.id if isinstance(func, ast.Name)
                        else func.attr if isinstance(func, ast.Attribute) else None)
                where = f"{module}:{'.'.join(scope) or '<module>'}"
                if name in SINKS:
                    yield name, where
                elif name == "insert" and "outbox" in ast.get_source_segment(
                        source, child, padded=False).lower():  # type: ignore[union-attr]
                    yield "insert(outbox)", where
            if isinstance(child, ast.Constant) and isinstance(child.value, str) and (
                    "insert into outbox" in " ".join(child.value.lower().split())):
                yield "INSERT INTO outbox", f"{module}:{'.'.join(scope) or '<module>'}"
            yield from walk(child, scope)

    yield from walk(ast.parse(source, str(path)), ())


def test_every_path_into_the_outbox_is_known() -> None:
    found = {sink for path in sorted(PACKAGE.rglob("*.py")) for sink in _sinks_in(path)}
    assert found == KNOWN, (
        f"new: {sorted(found - KNOWN)}; gone: {sorted(KNOWN - found)} — a new way into the outbox "
        "needs the send guard and a test here that its refusal leaves the outbox untouched")


def test_the_walk_sees_each_kind_of_path(tmp_path: Path) -> None:
    probe = tmp_path / "cobrador_desktop" / "probe.py"
    probe.parent.mkdir()
    probe.write_text(
        "class A:\n"
        "    def one(self, s):\n"
        "        s.add(OutboxItem(to='x'))\n"
        "        s.execute(insert(OutboxItem).values())\n"
        "    async def two(self):\n"
        "        await self.outbox.enqueue(payload={})\n"
        "def three(s):\n"
        "    run(lambda: repo.add_outbound(s))\n"
        "    s.execute(text('INSERT  INTO outbox (to) VALUES (1)'))\n", encoding="utf-8")
    found = set(_sinks_in(probe, tmp_path / "cobrador_desktop"))
    assert found == {("OutboxItem", "cobrador_desktop.probe:A.one"),
                     ("insert(outbox)", "cobrador_desktop.probe:A.one"),
                     ("enqueue", "cobrador_desktop.probe:A.two"),
                     ("add_outbound", "cobrador_desktop.probe:three"),
                     ("INSERT INTO outbox", "cobrador_desktop.probe:three")}


# --------------------------------------------------------------------------- (b), (c)


def _always_allowed(request: Any, facts: Any, now: datetime) -> Decision:
    return Decision(True, (), evaluated_at=now)


def _without_enqueue_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """`OutboxService.enqueue_in` storing whatever it is given (its check removed)."""
    from cobrador_desktop.services import outbox
    from cobrador_desktop.storage.repos import outbox as repo

    def enqueue_in(session: Any, *, conversation_id: int, payload: Any, purpose: str, kind: str,
                   message_type: str, text: str, decision: Decision | None, now: datetime,
                   operator_id: int | None = None, send_at: datetime | None = None) -> int:
        return repo.add_outbound(
            session, conversation_id=conversation_id, request=dict(payload), purpose=purpose,
            kind=kind, message_type=message_type, text=text,
            decision=decision.to_json() if decision else {}, operator_id=operator_id, now=now,
            next_attempt_at=send_at)
    monkeypatch.setattr(outbox.OutboxService, "enqueue_in", staticmethod(enqueue_in))


def _guard_off_in(module: str) -> Callable[[pytest.MonkeyPatch], None]:
    def off(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(importlib.import_module(module), "evaluate", _always_allowed)
    return off


def _shop(database: Database) -> Database:
    from tests.unit.services.test_reminders import seed_shop
    seed_shop(database)
    return database


#: caller -> (how to take its guard away, the existing test that shows a refusal leaves the
#: outbox untouched, its arguments from a fresh database)
PROOFS: dict[str, tuple[Callable[[pytest.MonkeyPatch], None], str, Callable[[Database], tuple[
        Any, ...]]]] = {
    "régua (reminder_day.record_day)": (
        _guard_off_in("cobrador_desktop.services.reminder_day"),
        "tests.unit.services.test_reminders:"
        "test_an_opted_out_number_is_logged_blocked_and_never_queued",
        lambda db: (_shop(db),)),
    "inbound answers' reply (inbound_answers.queue_reply), wrong party": (
        _guard_off_in("cobrador_desktop.storage.repos.inbound_answers"),
        "tests.unit.storage.test_inbound_answers:"
        "test_voltar_never_clears_a_wrong_party_or_a_suppression",
        lambda db: (db,)),
    "inbound answers' reply (inbound_answers.queue_reply), window closed": (
        _guard_off_in("cobrador_desktop.storage.repos.inbound_answers"),
        "tests.unit.storage.test_inbound_answers:"
        "test_an_old_answer_replayed_after_the_window_gets_no_free_text_reply",
        lambda db: (db,)),
    "self-service reply (self_service.apply through inbound_answers.queue_reply), window closed": (
        _guard_off_in("cobrador_desktop.storage.repos.inbound_answers"),
        "tests.unit.storage.test_self_service:"
        "test_an_old_tap_replayed_after_the_window_gets_no_reply",
        lambda db: (db,)),
    "inbox reply (inbox_send.queue through queue_text), wrong party": (
        _guard_off_in("cobrador_desktop.services.inbox_send"),
        "tests.unit.services.test_inbox_service:"
        "test_a_reply_to_a_wrong_party_is_refused_and_nothing_queued",
        lambda db: (db,)),
    "inbox template (inbox_send.queue through template_send), opted out": (
        _guard_off_in("cobrador_desktop.services.inbox_send"),
        "tests.unit.services.test_inbox_service:"
        "test_a_template_to_an_opted_out_number_is_refused_and_nothing_queued",
        lambda db: (db,)),
    "inbox one-click action (inbox_send.queue through queue_text), wrong party": (
        _guard_off_in("cobrador_desktop.services.inbox_send"),
        "tests.unit.services.test_inbox_service:"
        "test_an_action_to_a_wrong_party_is_refused_and_nothing_queued",
        lambda db: (db,)),
    "OutboxService.enqueue / enqueue_in": (
        _without_enqueue_check,
        "tests.unit.services.test_outbox:test_enqueue_refuses_without_an_allowing_decision",
        lambda db: (db, _blocked())),
    "(c) the sender's re-check: opted out while queued": (
        _guard_off_in("cobrador_desktop.services.outbox_sender"),
        "tests.unit.services.test_outbox:test_a_number_that_opted_out_meanwhile_is_cancelled",
        lambda db: (db,)),
    "(c) the sender's re-check of a régua row": (
        _guard_off_in("cobrador_desktop.services.outbox_sender"),
        "tests.unit.services.test_outbox_regua:test_a_queued_regua_row_is_cancelled_with_the_reason",
        lambda db: (db, *_opted_out_case())),
    "(c) a reminder queued before PARAR": (
        _guard_off_in("cobrador_desktop.services.outbox_sender"),
        "tests.unit.services.test_inbound_answers_service:"
        "test_a_reminder_queued_before_parar_is_cancelled_and_only_the_confirmation_goes",
        lambda db: (db,)),
}


def _blocked() -> Decision:
    from cobrador_desktop.domain.policy import SendFacts, SendRequest, evaluate
    from tests.unit.services.test_outbox import START
    return evaluate(SendRequest("business_initiated", "reminder", "text"), SendFacts(), START)


def _opted_out_case() -> tuple[Any, str, str]:
    from tests.unit.services import test_outbox_regua as t
    return (t._opt_out, "PHONE_OPTED_OUT",
            "O titular deste número pediu para não receber mensagens em 23/11/2026.")


def _test(ref: str) -> Callable[..., None]:
    module, name = ref.split(":")
    found: Callable[..., None] = getattr(importlib.import_module(module), name)
    return found


def test_every_known_caller_has_a_proof() -> None:
    callers = {where.split(":")[1].split(".")[-1] for _, where in KNOWN}
    named = " ".join(PROOFS)
    assert all(caller in named for caller in callers - {"add_outbound"}), (callers, named)


@pytest.mark.parametrize("caller", list(PROOFS))
def test_the_proof_fails_without_the_guard(database: Database, monkeypatch: pytest.MonkeyPatch,
                                           caller: str) -> None:
    """The referenced test passes in its own module; here, with this caller's guard taken away,
    it must fail: so it really shows that a refusal keeps the row out of the outbox (or cancels
    it at send time)."""
    take_guard_away, ref, arguments = PROOFS[caller]
    test = _test(ref)
    args = arguments(database)
    take_guard_away(monkeypatch)
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        test(*args)
