"""Seeding the sample data: what `demo` opens and what the benchmarks measure.

Sample data goes only into an empty database (the `demo` command uses its own data folder), in
one transaction, and leaves a marker in the settings. Seeding a database that already holds the
demo is a no-op that reports what is there, so `demo` can call it at every start; a database
with any other data is refused (`DatabaseNotEmpty`), so sample rows never mix with real ones.
`demo --reset` starts from a new, empty database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from functools import partial
from time import perf_counter
from typing import Any

from cobrador_desktop.domain.errors import DatabaseNotEmpty
from cobrador_desktop.services.demo_data import (
    DEMO,
    GENERATOR_VERSION,
    DemoScale,
    generate,
    operator_rows,
)
from cobrador_desktop.services.ports import Runner, SyncRunner
from cobrador_desktop.storage.repos import bulk
from cobrador_desktop.storage.repos import operators as operators_repo

#: the settings key of the marker a seeded database carries
MARKER_KEY = "demo_dataset"


@dataclass(frozen=True)
class DemoSummary:
    """What a seeded database holds.

    Attributes:
        counts: rows per table (debtors, phones, debts, payments, conversations, messages...).
        created: True when this call loaded the data, False when it was already there.
        seconds: how long loading took (0 when nothing was loaded).
    """

    counts: dict[str, int]
    seed: int
    today: date
    generator_version: int
    created: bool
    seconds: float

    @property
    def debtors(self) -> int:
        return self.counts.get("debtors", 0)

    @property
    def debts(self) -> int:
        return self.counts.get("debts", 0)

    @property
    def messages(self) -> int:
        return self.counts.get("messages", 0)


async def seed_demo(db: Runner, *, today: date, scale: DemoScale = DEMO, seed: int = 42,
                    now: datetime | None = None) -> DemoSummary:
    """Load the sample data into an empty database (or report the demo already there).

    Args:
        db: the database runner.
        today: the shop's current date; debts fall due around it.
        scale: how much data (`DEMO` for the app, `BENCH` for benchmarks).
        seed: the random seed; the same seed gives the same data.
        now: the instant the data is "as of" (aware UTC), default noon UTC of `today`.

    Raises:
        DatabaseNotEmpty: the database holds other data.
    """
    return await db.run(partial(_seed, today=today, scale=scale, seed=seed, now=now))


def seed_demo_sync(db: SyncRunner, *, today: date, scale: DemoScale = DEMO, seed: int = 42,
                   now: datetime | None = None) -> DemoSummary:
    """`seed_demo` for callers without an event loop (command line, benchmarks, tests)."""
    return db.run_sync(partial(_seed, today=today, scale=scale, seed=seed, now=now))


def is_seeded(db: SyncRunner) -> bool:
    """Whether the database holds the sample data (blocking: start-up runs it off the GUI thread)."""
    return db.run_sync(_has_marker)


async def is_seeded_async(db: Runner) -> bool:
    """`is_seeded` for coroutines."""
    return await db.run(_has_marker)


def _has_marker(session: Any) -> bool:
    return bulk.dataset_marker(session, MARKER_KEY) is not None


def _seed(session: Any, *, today: date, scale: DemoScale, seed: int,
          now: datetime | None) -> DemoSummary:
    marker = bulk.dataset_marker(session, MARKER_KEY)
    if marker is not None:
        if not operators_repo.active_owners(session, with_password=True):
            # seeded before issue 8: give the demo's people their roles and password
            operators_repo.refresh_accounts(session, operator_rows(
                now or datetime.combine(today, time(12, 0), UTC)))
        return DemoSummary(counts=dict(marker["counts"]), seed=int(marker["seed"]),
                           today=date.fromisoformat(marker["today"]),
                           generator_version=int(marker["generator_version"]),
                           created=False, seconds=0.0)
    if bulk.has_data(session):
        raise DatabaseNotEmpty()
    started = perf_counter()
    counts = bulk.insert_dataset(session, generate(scale, today=today, seed=seed, now=now),
                                 today=today)
    summary = DemoSummary(counts=counts, seed=seed, today=today,
                          generator_version=GENERATOR_VERSION, created=True,
                          seconds=perf_counter() - started)
    bulk.mark_dataset(session, MARKER_KEY, {
        "counts": counts, "seed": seed, "today": today.isoformat(),
        "generator_version": GENERATOR_VERSION, "scale": asdict(scale),
    }, now or datetime.combine(today, time(12, 0), UTC))
    return summary
