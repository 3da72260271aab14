"""The messages model: newest page first, older pages on top, ticks merged, day separators."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pytestqt.modeltest import ModelTester

from cobrador_desktop.domain.inbox import MessagePage, MessageRow
from cobrador_desktop.ui.models.message_list_model import DAY_ROLE, MessageListModel, day_label
from tests.ui.inbox_helpers import TZ

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def _msg(mid: int, at: datetime, status: str = "sent") -> MessageRow:
    return MessageRow(id=mid, direction="out", type="text", text=f"m{mid}", created_at=at,
                      status=status)


def test_day_labels_in_portuguese() -> None:
    today = date(2026, 11, 23)
    assert day_label(today, today) == "Hoje"
    assert day_label(date(2026, 11, 22), today) == "Ontem"
    assert day_label(date(2026, 11, 12), today) == "12 de novembro"
    assert day_label(date(2025, 3, 2), today) == "2 de março de 2025"


def test_older_pages_go_on_top_ticks_merge_and_separators_follow(
        qtmodeltester: ModelTester) -> None:
    model = MessageListModel(None, today=lambda: date(2026, 11, 23), tz=TZ)
    qtmodeltester.check(model, force_py=False)  # type: ignore[no-untyped-call]
    model.reset_to(MessagePage((_msg(10, NOW - timedelta(days=1)), _msg(11, NOW)), True))
    assert [model.index(n).data(DAY_ROLE) for n in range(2)] == ["Ontem", "Hoje"]
    model.prepend(MessagePage((_msg(8, NOW - timedelta(days=1, hours=1)),
                               _msg(9, NOW - timedelta(days=1, minutes=5))), False))
    assert [model.row_at(n).id for n in range(4)] == [8, 9, 10, 11]
    assert [model.index(n).data(DAY_ROLE) for n in range(4)] == ["Ontem", "", "", "Hoje"]
    model.upsert((_msg(11, NOW, "read"), _msg(12, NOW + timedelta(minutes=1))))
    assert [model.row_at(n).id for n in range(5)] == [8, 9, 10, 11, 12]
    assert model.row_at(3).status == "read"
    assert model.first_id == 8


def test_older_pages_past_the_cap_drop_the_newest_and_new_ones_wait(
        qtmodeltester: ModelTester) -> None:
    model = MessageListModel(None, today=lambda: date(2026, 11, 23), tz=TZ, max_rows=5)
    qtmodeltester.check(model, force_py=False)  # type: ignore[no-untyped-call]
    trimmed: list[bool] = []
    model.trimmed_changed.connect(trimmed.append)
    put_on_top: list[int] = []
    model.prepended.connect(put_on_top.append)
    at = NOW - timedelta(hours=1)
    model.reset_to(MessagePage(tuple(_msg(m, at + timedelta(minutes=m)) for m in (20, 21, 22)),
                               True))
    model.prepend(MessagePage(tuple(_msg(m, at + timedelta(minutes=m)) for m in (17, 18, 19)),
                              True))
    assert [model.row_at(n).id for n in range(model.rowCount())] == [17, 18, 19, 20, 21]
    assert model.trimmed_newer and trimmed == [True]
    # a tick of a loaded message is merged; a message after the last row is not added
    model.upsert((_msg(21, at + timedelta(minutes=21), "read"), _msg(22, NOW, "read"),
                  _msg(23, NOW)))
    assert [model.row_at(n).id for n in range(model.rowCount())] == [17, 18, 19, 20, 21]
    assert model.row_at(4).status == "read"
    # a page longer than the cap keeps its newest messages only
    model.prepend(MessagePage(tuple(_msg(m, at + timedelta(minutes=m)) for m in range(9, 17)),
                              True))
    assert [model.row_at(n).id for n in range(model.rowCount())] == [12, 13, 14, 15, 16]
    assert put_on_top == [3, 5]
    model.reset_to(MessagePage((_msg(23, NOW),), True))
    assert not model.trimmed_newer and trimmed == [True, False]
    model.upsert((_msg(24, NOW),))
    assert [model.row_at(n).id for n in range(model.rowCount())] == [23, 24]
