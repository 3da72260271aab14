"""Debtor search and list on the 100k-debtor database: repository vs raw SQLite, keystroke, data().

Figures (median of N repetitions, after a warm-up):

- search.<kind>: the repository's search call (`debtors.list_page` with a `DebtorQuery`, the first
  page of 200 by name) against a floor measured in the same run: the very SQL it ran (captured
  from SQLAlchemy, same text and parameters) executed through a bare `sqlite3` connection and
  fetched. Kinds: a name fragment, CPF digits (masked), a phone as people write it, a debt
  description word, a broad 3-letter fragment, a filter with a search, and the worst case (a
  word in most debtors' text: "parcela"). Goal ≤ 2×.
- search.keystroke_to_list: the view-model path offscreen, as the search box drives it after
  its debounce: `set_search(text)` until the table model holds the new first page (goal < 16 ms),
  for the same queries (the worst case aside), with a pause between keystrokes as when typing.
- list.data_visible_page: the time spent in the model's `data()` for what 35 rows show (text,
  colour, alignment) when a QTableView paints them for the first time, right after a search
  (goal < 2 ms); the time for every role Qt asks (about 7 per cell, most answered "nothing",
  each a Python call from C++) is printed beside it.
- list.counts: the quick filters' and segments' counts (informative; they load once per list).

    python bench/bench_search.py            # 100k database, 30 repetitions
    python bench/bench_search.py --quick    # small database, a few repetitions
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from _harness import parser
from make_db import ensure_db
from sqlalchemy import event, select

from cobrador_desktop.domain.records import DebtorFilter, DebtorQuery, DebtorSort
from cobrador_desktop.storage.db import Database, open_database, sqlite_url
from cobrador_desktop.storage.orm import Debt, Debtor, DebtorPhone, Phone
from cobrador_desktop.storage.repos import debtors as repo

GOAL_RATIO = 2.0
GOAL_KEYSTROKE_MS = 16.0
GOAL_DATA_MS = 2.0
PAGE = 200
VISIBLE_ROWS = 35


def _samples(db: Database) -> dict[str, DebtorQuery]:
    """Queries taken from the data: each one finds something."""

    def pick(session: Any) -> dict[str, DebtorQuery]:
        n = repo.count_all(session)
        name = session.scalars(select(Debtor.name).where(Debtor.id == n // 23)).one()
        document = session.scalars(select(Debtor.document).where(
            Debtor.document_type == "cpf", Debtor.id > n // 7).limit(1)).one()
        phone = session.scalars(select(Phone.e164).join(
            DebtorPhone, DebtorPhone.phone_id == Phone.id).where(
            DebtorPhone.role == "own", DebtorPhone.debtor_id > n // 3).limit(1)).one()
        description = session.scalars(select(Debt.description).where(
            Debt.id > n // 11, ~Debt.description.like("Parcela%"),
            ~Debt.description.like("Mensalidade%")).limit(1)).one()
        surname = name.split()[-1]
        # the description's most telling word ("geladeira", not "parcela")
        word = max(description.replace("(", " ").split(), key=len)
        return {
            "name": DebtorQuery(surname[1:6]),
            "cpf": DebtorQuery(f"{document[:3]}.{document[3:6]}.{document[6:9]}-{document[9:]}"),
            "phone": DebtorQuery(f"({phone[3:5]}) {phone[5:10]}-{phone[10:]}"),
            "description": DebtorQuery(word),
            "broad": DebtorQuery("mar"),
            "filtered": DebtorQuery(surname[:5], DebtorFilter.OVERDUE),
            # a word in most debtors' search text: the slowest search there is
            "worst": DebtorQuery("parcela"),
        }

    return db.run_sync(pick)


def _repository_vs_floor(db: Database, path: Path, query: DebtorQuery, today: date,
                         reps: int) -> tuple[float, float, int]:
    """(repository ms, floor ms, rows) medians for one query."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                _executemany: bool) -> None:
        statements.append((statement, parameters))

    def call(session: Any) -> int:
        page = repo.list_page(session, sort=DebtorSort.NAME, after=None, limit=PAGE,
                              query=query, today=today)
        return len(page.rows)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        rows = db.run_sync(call)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    # the queries only: the BEGIN of the worker's transaction is not part of the search
    captured = [(sql, params) for sql, params in statements
                if sql.lstrip().upper().startswith(("SELECT", "WITH"))]

    def timed(session: Any) -> list[float]:
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            call(session)
            times.append(time.perf_counter() - started)
        return times

    raw = sqlite3.connect(path)
    try:
        floor_times = []
        repo_times = []
        for _ in range(3):  # interleaved rounds, so machine noise hits both alike
            repo_times += db.run_sync(timed)
            for _ in range(reps):
                started = time.perf_counter()
                for statement, parameters in captured:
                    raw.execute(statement, parameters).fetchall()
                floor_times.append(time.perf_counter() - started)
    finally:
        raw.close()
    return statistics.median(repo_times) * 1000, statistics.median(floor_times) * 1000, rows


def _ui_figures(db: Database, queries: list[DebtorQuery], today: date,
                reps: int) -> tuple[float, float, float]:
    """Medians, ms: keystroke to list; in data() for the page's texts; in data() for all roles."""
    import os
    from zoneinfo import ZoneInfo

    # no screen on a server or in CI: the table paints offscreen, as the UI tests do
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
    from PySide6.QtWidgets import QApplication, QTableView  # noqa: TID251 - a real table paints

    from cobrador_desktop.services.debtors import DebtorListService
    from cobrador_desktop.ui.models.debtor_table_model import DebtorTableModel
    from cobrador_desktop.ui.viewmodels.debtor_list_vm import DebtorListViewModel

    # ints: comparing Qt's enums costs more than the calls measured
    shown = frozenset(int(r) for r in (Qt.ItemDataRole.DisplayRole,
                                       Qt.ItemDataRole.ForegroundRole,
                                       Qt.ItemDataRole.TextAlignmentRole))

    class TimedModel(DebtorTableModel):
        """The table model, adding up the time Qt spends in its `data()`."""

        spent = 0.0  # in the calls for what the page shows: text, colour, alignment
        spent_all = 0.0  # in every call (Qt asks ~7 roles per cell)
        calls = 0

        def data(self, index: QModelIndex | QPersistentModelIndex,
                 role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            started = time.perf_counter()
            try:
                return super().data(index, role)
            finally:
                spent = time.perf_counter() - started
                TimedModel.spent_all += spent
                TimedModel.calls += 1
                if role in shown:
                    TimedModel.spent += spent

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    service = DebtorListService(db, today=lambda: today)
    vm = DebtorListViewModel(service, page_size=PAGE)
    model = TimedModel(vm, today=lambda: today, tz=ZoneInfo("America/Sao_Paulo"))
    table = QTableView()
    table.setModel(model)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 14)
    table.resize(1280, VISIBLE_ROWS * (table.fontMetrics().height() + 14) + 30)
    table.show()

    async def until(done: Callable[[], bool]) -> None:
        # sleeps between checks: a busy loop here would take the GIL from the database thread
        while not done():
            await asyncio.sleep(0.0005)

    page_shown = asyncio.Event()
    vm.first_page_loaded.connect(lambda _empty: page_shown.set())

    async def measure() -> tuple[list[float], list[float], list[float]]:
        vm.start()
        await until(lambda: model.rowCount() > 0 and vm.counts is not None)
        keystrokes, paints, whole = [], [], []
        counted = [0]
        vm.count_changed.connect(lambda _n: counted.__setitem__(0, counted[0] + 1))
        texts = [q.text for q in queries] * reps
        for i, typed in enumerate(texts):
            typed = typed if i % 2 == 0 else typed[:-1]  # alternate: the query always changes
            counts_before = counted[0]
            page_shown.clear()
            started = time.perf_counter()
            vm.set_search(typed)
            await page_shown.wait()  # the model holds the new first page
            keystrokes.append(time.perf_counter() - started)
            # the rows on screen were never painted: their cells are formatted now
            TimedModel.spent = TimedModel.spent_all = 0.0
            table.viewport().grab()
            paints.append(TimedModel.spent)
            whole.append(TimedModel.spent_all)
            # the user reads the result: the count finishes before the next keystroke
            await until(lambda: counted[0] > counts_before)  # noqa: B023 - awaited right here
            await asyncio.sleep(0.05)
        return keystrokes, paints, whole

    try:
        keystrokes, paints, whole = loop.run_until_complete(measure())
    finally:
        vm.close()
        table.close()
        loop.close()
    return (statistics.median(keystrokes) * 1000, statistics.median(paints) * 1000,
            statistics.median(whole) * 1000)


def main() -> int:
    p = parser(__doc__ or "")
    args = p.parse_args()
    reps = args.runs or (3 if args.quick else 30)
    path = ensure_db(quick=args.quick)
    db = open_database(sqlite_url(path), backup_dir=path.parent / "backups")
    print(f"# {reps} repetições, mediana; Python {sys.version.split()[0]}; SQLite "
          f"{sqlite3.sqlite_version}; banco: {'quick' if args.quick else '100k'}")
    try:
        today = date.today()
        queries = _samples(db)
        for kind, query in queries.items():
            repo_ms, floor_ms, rows = _repository_vs_floor(db, path, query, today, reps)
            ratio = repo_ms / floor_ms
            print(f"search.{kind}: {repo_ms:.2f} ms | floor: {floor_ms:.2f} ms | "
                  f"ratio: {ratio:.2f} (goal ≤ {GOAL_RATIO:.1f})  "
                  f"[{query.text!r}{' + ' + query.filter if query.filter else ''}: {rows} linhas]")
        started = time.perf_counter()
        for _ in range(reps):
            db.run_sync(lambda s: repo.count_filters(s, today))
        print(f"list.counts: {(time.perf_counter() - started) / reps * 1000:.1f} ms "
              "(informativo: uma vez por carga da lista)")
        typed = [q for kind, q in queries.items() if kind != "worst"]
        keystroke_ms, data_ms, whole_ms = _ui_figures(db, typed, today, max(1, reps // 6))
        print(f"search.keystroke_to_list: {keystroke_ms:.1f} ms (goal < {GOAL_KEYSTROKE_MS:.0f} ms)")
        print(f"list.data_visible_page: {data_ms:.2f} ms (goal < {GOAL_DATA_MS:.0f} ms)  "
              f"[texto, cor e alinhamento de {VISIBLE_ROWS} linhas novas; com todos os papéis que "
              f"o Qt pede: "
              f"{whole_ms:.1f} ms]")
    finally:
        db.close()
    # a goal missed is a figure to report, not a failure: exit 1 is for a run that measured nothing
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
