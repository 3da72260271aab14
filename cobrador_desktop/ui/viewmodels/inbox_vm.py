"""The shared inbox as the screen sees it (issue 6): the list, the open conversation, who I am.

Everything comes from an `InboxSource` through coroutines on the qasync loop. The view-model
polls `changes(cursor)` every 250 ms while the page is visible (every 2 s when hidden, for the
tray's badge) and refreshes only what changed: the list's first page (merged into the rows on
screen by `ConversationListModel.merge_first_page`), the rows further down that changed, the
tabs' counts, and for the open conversation its header and `messages_since` (new messages and the
ticks of the ones still moving). `notify(ids)` — called by the app from the in-process change
feed, on any thread — polls at once, so a webhook shows without waiting for the timer.

The operator working on this PC is the one signed in (`pin_operator`, from the window's
session); without a sign-in it is picked from `operators()` and remembered in QSettings
(`inbox/operator_id`), by default the first owner.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.inbox import (
    ConversationHeader,
    ConversationRow,
    InboxCounts,
    InboxFilter,
    MessageRow,
    Operator,
)
from cobrador_desktop.ui.tasks import TaskRunner
from cobrador_desktop.ui.viewmodels.inbox_ports import InboxSource

log = logging.getLogger("cobrador.ui")

POLL_MS = 250
HIDDEN_POLL_MS = 2_000
PAGE_SIZE = 60
MESSAGE_PAGE = 60
OPERATOR_KEY = "inbox/operator_id"
#: above this many changed conversations the list is simply reloaded
_MANY = 20
#: outbound statuses that may still move (their ticks are asked for on each change)
_MOVING = frozenset({"queued", "sending", "sent", "delivered", "unknown"})


def in_filter(row: ConversationRow, which: InboxFilter, operator_id: int | None) -> bool:
    """Whether `row` belongs in tab `which` (the same rule as the service's query)."""
    resolved = row.status == "resolved"
    if which is InboxFilter.RESOLVED:
        return resolved
    if resolved:
        return False
    if which is InboxFilter.MINE:
        return operator_id is not None and row.assigned_operator_id == operator_id
    if which is InboxFilter.UNASSIGNED:
        return row.assigned_operator_id is None
    if which is InboxFilter.WAITING:
        return row.waiting_since is not None
    return True


class InboxViewModel(QObject):
    """Loads and keeps fresh the inbox for `InboxView`."""

    #: the operators and the one working on this PC: (tuple of Operator, id or None)
    operators_changed = Signal(object, object)
    #: the list was emptied (new tab, search or operator); pages follow
    list_reset = Signal()
    #: rows to append (a tuple of ConversationRow)
    rows_loaded = Signal(object)
    #: the first page after a change: (rows, has_more, changed ids) for the model to merge
    first_page_refreshed = Signal(object, bool, object)
    #: rows further down the list changed (tuple of ConversationRow; those not in the tab go)
    rows_changed = Signal(object)
    #: the first page of a reload is in; True when the tab is empty
    first_page_loaded = Signal(bool)
    #: the tabs' badges (InboxCounts)
    counts_changed = Signal(object)
    #: the open conversation's header (ConversationHeader), or None when none is open
    header_changed = Signal(object)
    #: a conversation was opened: its newest messages (MessagePage)
    messages_reset = Signal(object)
    #: older messages to put on top (MessagePage)
    older_loaded = Signal(object)
    #: new messages and moved ticks of the open conversation (tuple of MessageRow)
    messages_updated = Signal(object)
    #: total unread across the open conversations (the tray's badge)
    unread_changed = Signal(int)
    #: a debtor wrote: (conversation id, name or phone, preview) — never for one's own sends
    inbound_arrived = Signal(int, str, str)
    #: something asked of the source failed in a way the operator can act on (KnownError)
    failed = Signal(object)
    # notify() may come from another thread: queued to this object's
    _notified = Signal()

    def __init__(self, source: InboxSource, clock: Clock, timezone: tzinfo,
                 settings: QSettings | None = None, *, page_size: int = PAGE_SIZE,
                 poll_ms: int = POLL_MS, hidden_poll_ms: int = HIDDEN_POLL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.clock = clock
        self.timezone = timezone
        self._settings = settings
        self._page_size = page_size
        self._poll_ms, self._hidden_poll_ms = poll_ms, hidden_poll_ms
        self._tasks = TaskRunner("inbox")
        self._list_tasks = TaskRunner("inbox-list")
        self.operators: tuple[Operator, ...] = ()
        self.operator_id: int | None = None
        self._pinned = False  # the signed-in operator, not a choice in the inbox
        self.filter = InboxFilter.ALL
        self.search = ""
        self.counts: InboxCounts | None = None
        self.header: ConversationHeader | None = None
        self.open_id: int | None = None
        self._generation = 0
        self._open_generation = 0
        self._cursor: tuple[Any, ...] = ()
        self._after: tuple[Any, ...] | None = None
        self._has_more = False
        self._loading = False
        self._polling = False
        self._poll_again = False
        self._started = False
        self._unread: int | None = None
        self._loaded_ids: set[int] = set()
        self._messages: dict[int, str] = {}  # open conversation: id -> status
        self._last_message_id = 0
        self._has_older = False
        self._loading_older = False
        self._seen_at: dict[int, datetime] = {}
        self._since = clock.now()
        self._timer = QTimer(self)
        self._timer.setInterval(hidden_poll_ms)
        self._timer.timeout.connect(self.poll_now)
        self._notified.connect(self.poll_now, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------------ state
    @property
    def has_more(self) -> bool:
        """More rows of the list wait below the loaded ones."""
        return self._has_more

    @property
    def has_older(self) -> bool:
        """Older messages of the open conversation wait above the loaded ones."""
        return self._has_older

    @property
    def operator(self) -> Operator | None:
        """The operator working on this PC."""
        return next((o for o in self.operators if o.id == self.operator_id), None)

    # ------------------------------------------------------------------ start and poll
    def start(self) -> None:
        """Learn the operators, load the list and start polling (once)."""
        if self._started:
            return
        self._started = True
        self._tasks.spawn(self._start(), "start")
        self._timer.start()

    async def _start(self) -> None:
        try:
            operators = await self.source.operators()
        except KnownError as error:
            self.failed.emit(error)
            operators = ()
        self.operators = tuple(operators)
        saved = self._settings.value(OPERATOR_KEY) if self._settings is not None else None
        ids = [o.id for o in self.operators]
        chosen = int(saved) if saved is not None and str(saved).isdigit() else None
        if self._pinned:
            chosen = self.operator_id
        elif chosen not in ids:
            owners = [o.id for o in self.operators if o.role == "owner"]
            chosen = (owners or ids)[0] if (owners or ids) else None
        self.operator_id = chosen
        self.operators_changed.emit(self.operators, chosen)
        self.reload()

    def set_visible(self, visible: bool) -> None:
        """Poll fast while the page is on screen, slowly (for the badge) otherwise."""
        self._timer.setInterval(self._poll_ms if visible else self._hidden_poll_ms)
        if visible and self._started:
            self.poll_now()

    def set_poll_ms(self, visible_ms: int) -> None:
        """Poll this often while the page is visible (on a shared PostgreSQL, where changes
        arrive through the feed at once, the poll is only a safety net)."""
        visible = self._timer.interval() == self._poll_ms
        self._poll_ms = visible_ms
        if visible:
            self._timer.setInterval(visible_ms)

    def notify(self, conversation_ids: Any = ()) -> None:
        """The in-process change feed saw these conversations change: look now (any thread)."""
        del conversation_ids  # the poll's cursor finds exactly what changed
        self._notified.emit()

    def poll_now(self) -> None:
        """Ask the source what changed (once at a time; a request meanwhile runs after)."""
        if not self._started or not self._cursor:
            return
        if self._polling:
            self._poll_again = True
            return
        self._polling = True
        self._tasks.spawn(self._poll(), "poll")

    async def _poll(self) -> None:
        try:
            while True:
                self._poll_again = False
                change = await self.source.changes(self._cursor)
                self._cursor = change.cursor
                if change.all or len(change.conversation_ids) > _MANY:
                    self.reload(keep_open=True)
                elif change.conversation_ids:
                    await self._apply(frozenset(change.conversation_ids))
                if not self._poll_again:
                    break
        except KnownError as error:
            log.warning("inbox poll failed: %s", error.message_source)
        finally:
            self._polling = False

    async def _apply(self, ids: frozenset[int]) -> None:
        generation = self._generation
        await self._refresh_counts()
        page = await self.source.conversations(self.filter, self.operator_id,
                                               limit=self._page_size, search=self.search)
        if generation != self._generation:
            return
        on_page = {row.id: row for row in page.rows}
        self.first_page_refreshed.emit(page.rows, page.has_more, ids)
        self._loaded_ids.update(on_page)
        rows = [on_page[i] for i in ids if i in on_page]
        for cid in ids - on_page.keys():
            try:
                rows.append((await self.source.header(cid)).row)
            except KnownError:
                continue
        below = tuple(r for r in rows if r.id not in on_page and r.id in self._loaded_ids)
        if below:
            self.rows_changed.emit(below)
        self._announce(rows)
        if self.open_id is not None and self.open_id in ids:
            await self._refresh_open(self.open_id)

    def _announce(self, rows: list[ConversationRow]) -> None:
        for row in rows:
            at = row.last_message_at
            if at is None:
                continue
            before = self._seen_at.get(row.id, self._since)
            self._seen_at[row.id] = max(at, before)
            if row.last_direction == "in" and at > before:
                self.inbound_arrived.emit(row.id, row.debtor_name or row.phone,
                                          row.last_message_preview)

    # ------------------------------------------------------------------ the list
    def set_filter(self, which: InboxFilter) -> None:
        if which != self.filter:
            self.filter = which
            if self._started:
                self.reload()

    def set_search(self, text: str) -> None:
        text = text.strip()
        if text != self.search:
            self.search = text
            if self._started:
                self.reload()

    def set_operator(self, operator_id: int | None) -> None:
        """Someone else works on this PC now (remembered for the next start)."""
        if operator_id == self.operator_id:
            return
        self.operator_id = operator_id
        if self._settings is not None and operator_id is not None and not self._pinned:
            self._settings.setValue(OPERATOR_KEY, operator_id)
        self.operators_changed.emit(self.operators, operator_id)
        self.reload(keep_open=True)

    def pin_operator(self, operator_id: int | None) -> None:
        """The signed-in operator works here (None: nobody signed in): every call names them."""
        self._pinned = True
        if self._started:
            self.set_operator(operator_id)
        else:
            self.operator_id = operator_id

    def reload(self, *, keep_open: bool = False) -> None:
        """Read the list again from its first page (and the counts, and the open one)."""
        self._generation += 1
        self._list_tasks.cancel_all()
        self._after, self._has_more, self._loading = None, False, True
        self._loaded_ids.clear()
        self._list_tasks.spawn(self._reload(self._generation, keep_open), "reload")

    async def _reload(self, generation: int, keep_open: bool) -> None:
        try:
            if not self._cursor:
                self._cursor = (await self.source.changes(())).cursor
            page = await self.source.conversations(self.filter, self.operator_id,
                                                   limit=self._page_size, search=self.search)
        except KnownError as error:
            self._loading = False
            self.failed.emit(error)
            return
        if generation != self._generation:
            return
        self.list_reset.emit()
        self._take_page(page.rows, page.has_more)
        self.first_page_loaded.emit(not page.rows)
        self._announce(list(page.rows))
        await self._refresh_counts()
        if keep_open and self.open_id is not None:
            await self._refresh_open(self.open_id)

    def _take_page(self, rows: tuple[ConversationRow, ...], has_more: bool) -> None:
        self._loading = False
        self._has_more = has_more and bool(rows)
        if rows:
            self._after = rows[-1].sort_key
            self._loaded_ids.update(row.id for row in rows)
            self.rows_loaded.emit(tuple(rows))

    def fetch_more(self) -> bool:
        """Ask for the next page of the list; False while one is in flight or none is left."""
        if self._loading or not self._has_more:
            return False
        self._loading = True
        self._list_tasks.spawn(self._more(self._generation, self._after), "more")
        return True

    async def _more(self, generation: int, after: tuple[Any, ...] | None) -> None:
        try:
            page = await self.source.conversations(self.filter, self.operator_id, after=after,
                                                   limit=self._page_size, search=self.search)
        except KnownError as error:
            self._loading, self._has_more = False, False
            self.failed.emit(error)
            return
        if generation == self._generation:
            self._take_page(page.rows, page.has_more)

    def list_moved_to(self, last_key: tuple[Any, ...] | None) -> None:
        """The model's last row's key (after a merge): the next page starts after it."""
        if last_key is not None:
            self._after = last_key

    async def _refresh_counts(self) -> None:
        try:
            counts = await self.source.counts(self.operator_id)
        except KnownError as error:
            log.warning("inbox counts failed: %s", error.message_source)
            return
        self.counts = counts
        self.counts_changed.emit(counts)
        if counts.unread_total != self._unread:
            self._unread = counts.unread_total
            self.unread_changed.emit(counts.unread_total)

    # ------------------------------------------------------------------ the open conversation
    def open(self, conversation_id: int | None) -> None:
        """Show a conversation (None: none); its unread count goes to 0."""
        if conversation_id == self.open_id:
            return
        self._start_open(conversation_id)

    def reload_open(self) -> None:
        """Open the open conversation again at its newest page (`messages_reset` follows)."""
        if self.open_id is not None:
            self._start_open(self.open_id)

    def _start_open(self, conversation_id: int | None) -> None:
        self._open_generation += 1
        if conversation_id != self.open_id:
            self.header = None
        self.open_id = conversation_id
        self._messages.clear()
        self._last_message_id = 0
        self._has_older = False
        if conversation_id is None:
            self.header_changed.emit(None)
            return
        self._tasks.spawn(self._open(conversation_id, self._open_generation), "open")

    async def _open(self, cid: int, generation: int) -> None:
        try:
            header = await self.source.header(cid)
            page = await self.source.messages(cid, limit=MESSAGE_PAGE)
        except KnownError as error:
            if generation == self._open_generation:
                self.failed.emit(error)
            return
        if generation != self._open_generation:
            return
        self.header = header
        self._has_older = page.has_older
        self._remember(page.messages)
        self.header_changed.emit(header)
        self.messages_reset.emit(page)
        if header.row.unread:
            await self._mark_read(cid)

    async def _mark_read(self, cid: int) -> None:
        try:
            await self.source.mark_read(cid, self.operator_id)
        except KnownError as error:
            log.warning("mark_read failed: %s", error.message_source)
            return
        self.poll_now()

    def _remember(self, messages: tuple[MessageRow, ...]) -> None:
        for message in messages:
            self._messages[message.id] = message.status
            self._last_message_id = max(self._last_message_id, message.id)

    def refresh_open(self) -> None:
        """Read the open conversation's news now (after one's own send)."""
        if self.open_id is not None:
            self._tasks.spawn(self._refresh_open(self.open_id), "refresh-open")

    async def _refresh_open(self, cid: int) -> None:
        generation = self._open_generation
        moving = tuple(i for i, status in self._messages.items() if status in _MOVING)
        try:
            header = await self.source.header(cid)
            news = await self.source.messages_since(cid, self._last_message_id, moving)
        except KnownError as error:
            if generation == self._open_generation:
                self.failed.emit(error)
            return
        if generation != self._open_generation:
            return
        self.header = header
        self.header_changed.emit(header)
        fresh = tuple(m for m in news if self._messages.get(m.id) != m.status)
        if fresh:
            self._remember(fresh)
            self.messages_updated.emit(fresh)
        if header.row.unread:
            await self._mark_read(cid)

    def fetch_older(self, before_id: int) -> bool:
        """Ask for the messages before `before_id` (the top one on screen)."""
        if self.open_id is None or self._loading_older or not self._has_older:
            return False
        self._loading_older = True
        self._tasks.spawn(self._older(self.open_id, before_id, self._open_generation), "older")
        return True

    async def _older(self, cid: int, before_id: int, generation: int) -> None:
        try:
            page = await self.source.messages(cid, before_id=before_id, limit=MESSAGE_PAGE)
        except KnownError as error:
            self.failed.emit(error)
            return
        finally:
            self._loading_older = False
        if generation == self._open_generation:
            self._has_older = page.has_older
            self._remember(page.messages)
            self.older_loaded.emit(page)

    # ------------------------------------------------------------------ acting
    def claim(self) -> None:
        self._act("claim", lambda cid, op: self.source.claim(cid, op))

    def transfer(self, to_operator_id: int | None) -> None:
        self._act("transfer", lambda cid, op: self.source.transfer(cid, op, to_operator_id))

    def resolve(self) -> None:
        self._act("resolve", lambda cid, op: self.source.resolve(cid, op))

    def reopen(self) -> None:
        self._act("reopen", lambda cid, op: self.source.reopen(cid, op))

    def set_labels(self, labels: tuple[str, ...]) -> None:
        self._act("labels", lambda cid, op: self.source.set_labels(cid, op, labels))

    def set_typing(self, typing: bool) -> None:
        self._act("typing", lambda cid, op: self.source.set_typing(cid, op, typing))

    def _act(self, name: str, call: Any) -> None:
        if self.open_id is None or self.operator_id is None:
            return
        self._tasks.spawn(self._run(call(self.open_id, self.operator_id)), name)

    async def _run(self, awaitable: Any) -> None:
        try:
            await awaitable
        except KnownError as error:
            self.failed.emit(error)
        self.poll_now()

    def close(self) -> None:
        """Stop polling and loading (the window is closing)."""
        self._timer.stop()
        self._generation += 1
        self._open_generation += 1
        self._tasks.cancel_all()
        self._list_tasks.cancel_all()
