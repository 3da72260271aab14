"""Importing a 100,000-row shop export vs a bare `csv` + `executemany` of the same rows into SQLite.

The file is what a shop's crediário export looks like: Windows-1252, `;`, CRLF, one line per
instalment (parcela), so the same person fills several lines (`--rows-per-person`, default 3, as
the demo's 100k debtors / 300k debts), 80 % with a CPF (masked or not), 90 % with a phone written
every Brazilian way (old 8-digit mobiles and landlines included), pt-BR amounts and dates.

- `import.csv`: `services.importer.import_file` end to end on a fresh migrated SQLite database
  (WAL, as the app opens it): encoding and delimiter detection, every row validated (phone,
  CPF/CNPJ, amount, date), merged (same person never twice), written in one transaction with the
  debtor summaries and search text refreshed, committed.
- the floor: `csv.reader` over the same file and one `executemany` of its rows, as text, into a
  plain 7-column SQLite table, committed: the least any import of these rows could cost.

Afterwards the database is counted: every debt and debtor must be there, and the list's search
must find the file's last person by name and by phone, or the run is not a measurement (exit 1).
A line says where the time goes (reading, validating, writing).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _harness import REPO

sys.path.insert(0, str(REPO))

GOAL_RATIO = 0.10
HEADER = ["Cliente", "CPF", "Celular", "Produto", "Valor", "Vencimento", "Observação"]
FIRST = ["Ana", "Bruno", "Carla", "Diego", "Elaine", "Fábio", "Gisele", "Hélio", "Íris", "João",
         "Kátia", "Luís", "Márcia", "Nélson", "Otávio", "Priscila", "Raimundo", "Sônia"]
LAST = ["Silva", "Souza", "Conceição", "Araújo", "Gonçalves", "Lima", "Pereira", "Rodrigues",
        "Magalhães", "Simões", "Brandão", "Assunção", "Falcão", "Teixeira", "Guimarães"]
DDDS = ["11", "21", "31", "41", "51", "61", "71", "81", "85", "92", "48", "62", "27", "19"]


def make_file(path: Path, rows: int, per_person: float, seed: int = 11) -> tuple[int, int]:
    """Write the export; returns (people, rows written)."""
    from cobrador_desktop.domain.documents import cpf_check_digits

    rng = random.Random(seed)
    people = max(1, round(rows / per_person))
    written = 0
    with path.open("w", encoding="cp1252", newline="") as handle:
        out = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        out.writerow(HEADER)
        for n in range(people):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)} {n}"
            base = f"{100000000 + n * 7:09d}"
            cpf = base + cpf_check_digits(base)
            document = "" if rng.random() < 0.2 else (
                f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}" if rng.random() < 0.5 else cpf)
            phone = "" if rng.random() < 0.1 else _phone(rng, n)
            count = rows - written if n == people - 1 else max(1, min(
                rows - written - (people - n - 1), round(rng.expovariate(1 / per_person)) or 1))
            first_due = date(2026, 1, 5) + timedelta(days=rng.randrange(0, 330))
            cents = rng.randrange(1990, 250000)
            for k in range(count):
                due = first_due + timedelta(days=30 * k)
                amount = f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"
                out.writerow([name, document, phone, f"Parcela {k + 1}/{count} – crediário",
                              amount if rng.random() < 0.7 else "R$ " + amount,
                              due.strftime("%d/%m/%Y"), "cliente desde 2019"])
            written += count
    return people, written


def _phone(rng: random.Random, n: int) -> str:
    ddd, number = rng.choice(DDDS), f"{(n * 7919) % 100_000_000:08d}"
    style = rng.random()
    if style < 0.1:  # landline
        return f"({ddd}) {3 + n % 3}{number[1:4]}-{number[4:]}"
    if style < 0.25:  # old 8-digit mobile, before the 9th digit
        return f"{ddd} 9{number[1:4]}-{number[4:]}"
    if style < 0.6:
        return f"({ddd}) 9{number[:4]}-{number[4:]}"
    if style < 0.8:
        return f"+55 {ddd} 9 {number[:4]}-{number[4:]}"
    return f"{ddd}9{number}"


def floor(path: Path, work: Path) -> float:
    """Seconds for `csv.reader` + one `executemany` of the same rows into SQLite, committed."""
    db = work / f"floor-{time.monotonic_ns()}.db"
    start = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE rows (a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g TEXT)")
    with path.open(encoding="cp1252", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        con.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?)", reader)
    con.commit()
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def run_import(path: Path, work: Path) -> tuple[float, dict[str, float], object, Path]:
    from cobrador_desktop.services.importer import ImportProgress, import_file
    from cobrador_desktop.storage.db import open_database, sqlite_url

    db_path = work / f"import-{time.monotonic_ns()}.db"
    db = open_database(sqlite_url(db_path), backup_dir=work / "backups")
    phases: dict[str, float] = {}

    def progress(p: ImportProgress) -> None:
        phases.setdefault(p.phase, time.perf_counter())

    try:
        start = time.perf_counter()
        report = import_file(db, path, now=datetime.now(UTC), today=date(2026, 11, 23),
                             progress=progress)
        elapsed = time.perf_counter() - start
    finally:
        db.close()
    phases["end"] = time.perf_counter()
    marks = sorted(phases.items(), key=lambda kv: kv[1])
    spent = {name: later - at for (name, at), (_, later) in itertools.pairwise(marks)}
    return elapsed, spent, report, db_path


def searchable(db_path: Path, path: Path) -> str:
    """"" when the debtor list's search finds the file's last person by name and by phone
    (the search index holds the imported rows); else what it did not find."""
    from cobrador_desktop.domain.records import DebtorQuery, DebtorSort
    from cobrador_desktop.storage.db import Database, sqlite_url
    from cobrador_desktop.storage.repos.debtors import list_page

    with path.open(encoding="cp1252", newline="") as handle:
        *_, last = csv.reader(handle, delimiter=";")
    name, phone = last[0], last[2]
    db = Database(sqlite_url(db_path))
    try:
        for words in (name, phone[-9:]) if phone else (name,):
            found = db.run_sync(lambda s, w=words: list_page(
                s, sort=DebtorSort.NAME, after=None, limit=5, query=DebtorQuery(text=w),
                today=date(2026, 11, 23)))
            if [row.name for row in found.rows] != [name]:
                return f"searching “{words}” found {[row.name for row in found.rows]}"
    finally:
        db.close()
    return ""


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smoke run: 10,000 rows")
    p.add_argument("--rows", type=int, default=None, help="rows in the file (default 100,000)")
    p.add_argument("--rows-per-person", type=float, default=3.0,
                   help="average lines per person (default 3; 1 = every line a new person)")
    args = p.parse_args()
    rows = args.rows or (10_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        path = work / "crediario.csv"
        people, written = make_file(path, rows, args.rows_per_person)
        floors = [floor(path, work) for _ in range(3)]
        elapsed, spent, report, db_path = run_import(path, work)
        con = sqlite3.connect(db_path)
        try:
            debts = con.execute("SELECT count(*) FROM debts").fetchone()[0]
            debtors = con.execute("SELECT count(*) FROM debtors").fetchone()[0]
        finally:
            con.close()
        missed = searchable(db_path, path)
    rejected = len(report.rejected)  # type: ignore[attr-defined]
    if debts != written or debtors != people or rejected:
        print(f"import: not measured: the database holds {debtors} debtors and {debts} debts, "
              f"expected {people} and {written} ({rejected} rows rejected)", file=sys.stderr)
        return 1
    if missed:
        print(f"import: not measured: the imported rows are not searchable ({missed})",
              file=sys.stderr)
        return 1
    base = statistics.median(floors)
    rate, floor_rate = written / elapsed, written / base
    where = ", ".join(f"{name.lower()} {seconds:.2f} s" for name, seconds in spent.items())
    print(f"import.csv: {rate:,.0f} rows/s | floor: {floor_rate:,.0f} rows/s | "
          f"ratio: {rate / floor_rate:.2f} (goal ≥ {GOAL_RATIO:.2f}) "
          f"[{written:,} rows, {people:,} debtors, all stored, {elapsed:.2f} s vs {base:.2f} s]")
    print(f"  (where the time goes: {where})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
