"""`ui.tasks.BusyTasks`: a view model's "busy" goes on with its first task and off with its last."""

from __future__ import annotations

import asyncio

from pytestqt.qtbot import QtBot

from cobrador_desktop.ui.tasks import BusyTasks


def test_busy_goes_on_once_and_off_after_the_last_task(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop) -> None:
    changes: list[bool] = []
    tasks = BusyTasks("test", changes.append)
    first, second = asyncio.Event(), asyncio.Event()

    async def wait(event: asyncio.Event) -> str:
        await event.wait()
        return "pronto"

    one = tasks.spawn_busy(wait(first))
    two = tasks.spawn_busy(wait(second))
    qtbot.waitUntil(lambda: tasks.busy)
    assert changes == [True]
    first.set()
    qtbot.waitUntil(one.done)
    assert tasks.busy and changes == [True]  # the second is still under way
    second.set()
    qtbot.waitUntil(two.done)
    assert not tasks.busy and changes == [True, False]
    assert one.result() == "pronto"


def test_a_failed_task_still_ends_the_busy_state(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop) -> None:
    changes: list[bool] = []
    tasks = BusyTasks("test", changes.append)

    async def fail() -> None:
        raise ValueError("quebrou")

    handled: list[object] = []
    qasync_loop.set_exception_handler(lambda _loop, context: handled.append(context))
    try:
        task = tasks.spawn_busy(fail())
        qtbot.waitUntil(task.done)
        qtbot.waitUntil(lambda: bool(handled))
    finally:
        qasync_loop.set_exception_handler(None)
    assert changes == [True, False] and not tasks.busy
