"""Build (once) the benchmark database: 100,000 debtors, 300,000 debts, 1,000,000 messages.

The file is cached at `bench/.cache/bench-100k.db` with a JSON sidecar holding its key: the schema
head and the generator version. When either changes the file is rebuilt; otherwise it is reused.

    python bench/make_db.py            # build or reuse the 100k database, print its path
    python bench/make_db.py --quick    # a 3,000-debtor database for smoke runs
    python bench/make_db.py --force    # rebuild even if the cached one is current
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

from _harness import CACHE

from cobrador_desktop.services.demo import seed_demo_sync
from cobrador_desktop.services.demo_data import BENCH, GENERATOR_VERSION, DemoScale
from cobrador_desktop.storage.db import open_database, sqlite_url
from cobrador_desktop.storage.migrate import head_revision

QUICK = DemoScale(debtors=3_000, debts_per_debtor_avg=3.0, messages_total=30_000)


def _paths(quick: bool) -> tuple[Path, Path]:
    name = "bench-quick" if quick else "bench-100k"
    return CACHE / f"{name}.db", CACHE / f"{name}.json"


def cache_key(scale: DemoScale) -> dict[str, object]:
    """What the cached file must match to be reused."""
    return {"schema_head": head_revision(), "generator_version": GENERATOR_VERSION,
            "scale": asdict(scale)}


def ensure_db(*, quick: bool = False, force: bool = False, verbose: bool = True) -> Path:
    """The path of a current benchmark database, building it if needed."""
    scale = QUICK if quick else BENCH
    path, sidecar = _paths(quick)
    key = cache_key(scale)
    if not force and path.exists() and sidecar.exists():
        stored = json.loads(sidecar.read_text(encoding="utf-8"))
        if stored.get("key") == key:
            if verbose:
                print(f"# banco de benchmark em cache: {path} "
                      f"(construído em {stored.get('build_seconds', 0):.0f} s)", file=sys.stderr)
            return path
    CACHE.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.stem + ".building.db")
    for stale in (building, path, sidecar):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{stale}{suffix}").unlink(missing_ok=True)
    if verbose:
        print(f"# construindo {path.name}: {scale.debtors} devedores, {scale.debts_total} "
              f"dívidas, {scale.messages_total} mensagens…", file=sys.stderr)
    started = time.perf_counter()
    db = open_database(sqlite_url(building), backup_dir=CACHE / "backups")
    try:
        summary = seed_demo_sync(db, today=date.today(), scale=scale)
    finally:
        db.close()  # the last connection to close checkpoints the WAL into the file
    seconds = time.perf_counter() - started
    building.rename(path)
    sidecar.write_text(json.dumps({"key": key, "counts": summary.counts,
                                   "build_seconds": round(seconds, 1),
                                   "built_on": date.today().isoformat()}, indent=2),
                       encoding="utf-8")
    if verbose:
        print(f"# {path.name} construído em {seconds:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB): {summary.counts}", file=sys.stderr)
    return path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small database for smoke runs")
    p.add_argument("--force", action="store_true", help="rebuild even if the cache is current")
    args = p.parse_args()
    print(ensure_db(quick=args.quick, force=args.force))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
