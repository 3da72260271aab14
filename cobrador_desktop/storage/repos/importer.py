"""Merging validated import rows into the database, in the caller's one transaction.

Rules (INTERFACES.md §4, COMPLIANCE.md §2.5):
- a row joins the debtor with its CPF/CNPJ; failing that, a debtor owning one of its phones (not as
  a wrong-party or reference number, and never one with another CPF/CNPJ); a row with neither
  document nor phone joins the debtor of the same folded name (two such debtors: the row is
  rejected, naming neither);
- a debt is already there when its debtor has one with the same description, amount and due date,
  or any debt has its external id: re-importing a file changes nothing;
- merging only fills what is empty (document, e-mail) and adds phones and debts: opt-out,
  wrong-party and suppression flags are never touched, and opt-in evidence (`--opt-in`) is only
  written on numbers that have none and are not blocked.

Everything is read up front in a few set-based queries and written in bulk (`BulkInsert`: on
SQLite one `INSERT … SELECT` a table from a staging table, with the new debtors' summaries
computed meanwhile), so 100,000 rows take about two seconds. Raising anywhere (a cancel, a bug)
rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import BindParameter, Dialect, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.importing import (
    AMBIGUOUS_NAME,
    CleanRow,
    ImportCancelled,
    RejectedRow,
    RowProblem,
)
from cobrador_desktop.storage.orm import Base, Debt, Debtor, DebtorPhone, Phone, PhoneBlock
from cobrador_desktop.storage.repos import audit, lgpd
from cobrador_desktop.storage.repos.debtors import refresh_summaries
from cobrador_desktop.storage.repos.import_write import (
    BulkInsert,
    DebtFacts,
    PhoneFacts,
    in_chunks,
    new_debtor_summary,
)

#: the IN list of a lookup, bound per chunk
_PART: BindParameter[Any] = bindparam("part", expanding=True)
_OPT_IN_MAX = 200  # Phone.opt_in_source
_TABLES = Base.metadata.tables
#: the summary columns a new debtor is inserted with (`import_write.new_debtor_summary`)
_SUMMARY_COLUMNS = ("open_cents", "open_debts", "oldest_open_due", "next_due", "segment", "reach",
                    "in_agreement", "last_contact_at", "search_text")
#: the columns of each table's new rows (the same for every row: given once, in `write`)
_DEBTOR_COLUMNS = ("id", "name", "name_key", "document", "document_type", "email",
                   *_SUMMARY_COLUMNS)
_PHONE_COLUMNS = ("id", "e164", "kind", "opted_out", "suppressed", "opt_in_source", "opt_in_at",
                  "opt_in_recorded_by")
_LINK_COLUMNS = ("debtor_id", "phone_id", "wrong_party", "position")
_DEBT_COLUMNS = ("debtor_id", "external_id", "description", "amount_cents", "due_date")


@dataclass(frozen=True)
class MergeOptions:
    """How to merge.

    Attributes:
        file_name: the file's name, for opt-in evidence and the audit log.
        now: the instant of the import (aware UTC).
        today: the shop's date (for the debtor summaries).
        opt_in_source: `--opt-in` text; when set, every phone in the file without evidence and
            not blocked gets it, with the file name, line, `now` and the operator.
        operator_id: who imports (None from the command line).
        imported_by: who imports, as text for the evidence when there is no operator.
    """

    file_name: str
    now: datetime
    today: date
    opt_in_source: str | None = None
    operator_id: int | None = None
    imported_by: str | None = None


@dataclass(frozen=True)
class MergeResult:
    """What a merge did (or would do, in a dry run)."""

    new_debtors: int
    updated_debtors: int
    new_debts: int
    opt_ins: int
    rejected: tuple[RejectedRow, ...]


Progress = Callable[[int, int], None]


@dataclass(eq=False, slots=True)  # eq=False: hashed and compared by identity
class _Debtor:
    id: int | None
    name: str
    name_key: str
    document: str | None
    document_type: str | None
    email: str | None
    new: bool
    changed: bool = False
    next_position: int = 0
    fill: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class _Phone:
    id: int | None
    e164: str
    kind: str
    new: bool
    opt_in_ok: bool  # no evidence yet and not opted out / suppressed
    opt_in_line: int | None = None
    opted_out: bool = False
    suppressed: bool = False
    #: a new number an anonymised person had marked "não sou eu": its new links stay blocked
    wrong_party: bool = False
    whatsapp_status: str = "unknown"
    #: debtors using this number as their own, not marked wrong party
    owners: list[_Debtor] = field(default_factory=list)
    #: debtors for whom this number is marked wrong party or is a reference contact
    flagged: list[_Debtor] = field(default_factory=list)



class _Merge:
    def __init__(self, session: Session, options: MergeOptions, progress: Progress | None,
                 cancelled: Callable[[], bool] | None) -> None:
        self.s, self.o = session, options
        self._progress, self._cancelled = progress, cancelled
        self.debtors: dict[int, _Debtor] = {}
        self.new_debtors: list[_Debtor] = []
        self.by_doc: dict[str, _Debtor] = {}
        self.by_name: dict[str, list[_Debtor]] = {}
        self.phones: dict[str, _Phone] = {}
        #: blocks an anonymised person left on numbers this file brings back (LGPD, COMPLIANCE.md)
        self.blocks: dict[str, PhoneBlock] = {}
        #: (debtor, phone) of known links -> whether the link is blocked (wrong party,
        #: reference contact)
        self.links: dict[tuple[_Debtor, _Phone], bool] = {}
        self.new_links: list[tuple[_Debtor, _Phone, int]] = []
        self.rejected: list[RejectedRow] = []
        self.done, self.total = 0, 0
        #: the last row resolved to a debtor, and that debtor
        self._last: tuple[CleanRow, _Debtor] | None = None

    # ------------------------------------------------------------------ progress

    def tick(self, count: int) -> None:
        self.done += count
        if self._cancelled is not None and self._cancelled():
            raise ImportCancelled()
        if self._progress is not None:
            self._progress(self.done, self.total)

    # ------------------------------------------------------------------ loading

    def _debtor(self, r: Any) -> _Debtor:
        d = self.debtors.get(r.id)
        if d is None:
            d = _Debtor(id=r.id, name=r.name, name_key=r.name_key, document=r.document,
                        document_type=r.document_type, email=r.email, new=False)
            self.debtors[r.id] = d
            if d.document:
                self.by_doc[d.document] = d
        return d

    def load(self, rows: Sequence[CleanRow]) -> None:
        cols = (Debtor.id, Debtor.name, Debtor.name_key, Debtor.document, Debtor.document_type,
                Debtor.email)
        # each statement built once, its IN list bound per chunk (`_PART`): building one per
        # chunk coerces every value (a tenth of a second for 100,000 lines)
        docs = {r.document for r in rows if r.document}
        by_doc = select(*cols).where(Debtor.document.in_(_PART))
        for part in in_chunks(docs):
            for r in self.s.execute(by_doc, {"part": part}):
                self._debtor(r)
        names = {r.name_key for r in rows if not r.document and not r.phones}
        by_name = select(*cols).where(Debtor.name_key.in_(_PART))
        for part in in_chunks(names):
            for r in self.s.execute(by_name, {"part": part}):
                self.by_name.setdefault(r.name_key, []).append(self._debtor(r))
        numbers = {e164 for r in rows for e164, _ in r.phones}
        by_id: dict[int, _Phone] = {}
        phones = select(Phone.id, Phone.e164, Phone.kind, Phone.opt_in_source, Phone.opted_out,
                        Phone.suppressed, Phone.whatsapp_status).where(Phone.e164.in_(_PART))
        for part in in_chunks(numbers):
            for p in self.s.execute(phones, {"part": part}):
                ok = p.opt_in_source is None and not p.opted_out and not p.suppressed
                phone = _Phone(id=p.id, e164=p.e164, kind=p.kind, new=False, opt_in_ok=ok,
                               opted_out=bool(p.opted_out), suppressed=bool(p.suppressed),
                               whatsapp_status=p.whatsapp_status)
                self.phones[p.e164] = by_id[p.id] = phone
        self.blocks = lgpd.blocks_for(self.s, numbers - self.phones.keys())
        links = (select(DebtorPhone.phone_id, DebtorPhone.role, DebtorPhone.wrong_party, *cols)
                 .join(Debtor, Debtor.id == DebtorPhone.debtor_id)
                 .where(DebtorPhone.phone_id.in_(_PART)).order_by(Debtor.id))
        for part in in_chunks(by_id):
            for link in self.s.execute(links, {"part": part}):
                debtor, phone = self._debtor(link), by_id[link.phone_id]
                blocked = link.role != "own" or bool(link.wrong_party)
                self.links[(debtor, phone)] = blocked
                (phone.flagged if blocked else phone.owners).append(debtor)
        last = (select(DebtorPhone.debtor_id, func.max(DebtorPhone.position))
                .where(DebtorPhone.debtor_id.in_(_PART)).group_by(DebtorPhone.debtor_id))
        for part in in_chunks([d.id for d in self.debtors.values()]):
            for debtor_id, position in self.s.execute(last, {"part": part}):
                self.debtors[debtor_id].next_position = int(position) + 1

    # ------------------------------------------------------------------ resolving

    def resolve(self, row: CleanRow) -> _Debtor | None:
        """The row's debtor (found or created), or None when the row is rejected."""
        last = self._last
        if (last is not None and row.name_key == last[0].name_key and row.document == last[
                0].document and row.phones == last[0].phones and row.email == last[0].email):
            # the same person as the line before (one line per instalment): resolving them
            # again would find the same debtor and change nothing (their document, e-mail and
            # links are in; every list it picks from only grew after that debtor)
            return last[1]
        debtor = self._resolve(row)
        self._last = None if debtor is None else (row, debtor)
        return debtor

    def _resolve(self, row: CleanRow) -> _Debtor | None:
        debtor = self.by_doc.get(row.document) if row.document else None
        if debtor is None and row.phones:
            # a number flagged for a debtor still names that debtor when the name matches too
            # (the shop's sheet repeats the old number): the row joins them, the flag stays
            phones = self.phones
            known = [phones[e164] for e164, _ in row.phones if e164 in phones]
            if known:  # (a number new to the database and the file has no owner yet)
                owners = [d for p in known for d in (*p.owners, *(
                    f for f in p.flagged if f.name_key == row.name_key))
                    if d.document is None or row.document is None]
                same_name = [d for d in owners if d.name_key == row.name_key]
                debtor = (same_name or owners)[0] if owners else None
        elif debtor is None and not row.document:
            named = self.by_name.get(row.name_key, [])
            if len(named) > 1:
                self.rejected.append(RejectedRow(row.line, (RowProblem(
                    AMBIGUOUS_NAME, {"count": len(named), "name": row.name}),)))
                return None
            debtor = named[0] if named else None
        if debtor is None:
            debtor = _Debtor(id=None, name=row.name, name_key=row.name_key, document=None,
                             document_type=None, email=None, new=True)
            self.new_debtors.append(debtor)
            self.by_name.setdefault(row.name_key, []).append(debtor)
        self._fill(debtor, row)
        for e164, kind in row.phones:
            self._link(debtor, e164, kind, row.line)
        return debtor

    def _fill(self, debtor: _Debtor, row: CleanRow) -> None:
        """Fill what the debtor lacks; never overwrite what is there."""
        if row.document and debtor.document is None:
            debtor.document, debtor.document_type = row.document, row.document_type
            debtor.fill["document"] = (row.document, row.document_type)
            self.by_doc[row.document] = debtor
        if row.email and debtor.email is None:
            debtor.email = debtor.fill["email"] = row.email
        if debtor.fill and not debtor.new:
            debtor.changed = True

    def _link(self, debtor: _Debtor, e164: str, kind: str, line: int) -> None:
        phone = self.phones.get(e164)
        if phone is None:
            block = self.blocks.get(e164)
            phone = self.phones[e164] = _Phone(id=None, e164=e164, kind=kind, new=True,
                                               opt_in_ok=True)
            if block is not None:  # the number comes back with the blocks it had
                phone.opted_out, phone.suppressed = block.opted_out, block.suppressed
                # a row of the same sheet that once said "não sou eu" is no consent either
                phone.opt_in_ok = not (block.opted_out or block.suppressed or block.wrong_party)
                phone.wrong_party = block.wrong_party
        blocked = self.links.get((debtor, phone))
        if blocked:
            return  # "not this person's number": no evidence from a row that says it is
        if self.o.opt_in_source and phone.opt_in_ok and phone.opt_in_line is None:
            phone.opt_in_line = line
        if blocked is not None:
            return
        self.links[(debtor, phone)] = phone.wrong_party
        (phone.flagged if phone.wrong_party else phone.owners).append(debtor)
        self.new_links.append((debtor, phone, debtor.next_position))
        debtor.next_position += 1
        debtor.changed = debtor.changed or not debtor.new

    # ------------------------------------------------------------------ debts

    def new_debts(self, rows: Sequence[tuple[CleanRow, _Debtor]]) -> list[tuple[CleanRow, _Debtor]]:
        """The rows whose debt is not in the database (nor earlier in the file)."""
        known: set[tuple[_Debtor, str, int, date]] = set()
        ids = {d.id for _, d in rows if not d.new}
        stmt = select(Debt.debtor_id, Debt.description, Debt.amount_cents, Debt.due_date
                      ).where(Debt.debtor_id.in_(_PART))
        for part in in_chunks(ids):
            for r in self.s.execute(stmt, {"part": part}):
                known.add((self.debtors[r.debtor_id], r.description, r.amount_cents,
                           r.due_date))
        external: set[str] = set()
        known_external = select(Debt.external_id).where(Debt.external_id.in_(_PART))
        for part in in_chunks({r.external_id for r, _ in rows if r.external_id}):
            external.update(self.s.scalars(known_external, {"part": part}))
        fresh = []
        for row, debtor in rows:
            key = (debtor, row.description, row.amount_cents, row.due_date)
            if key in known or (row.external_id and row.external_id in external):
                continue
            known.add(key)
            if row.external_id:
                external.add(row.external_id)
            fresh.append((row, debtor))
            debtor.changed = debtor.changed or not debtor.new
        return fresh

    # ------------------------------------------------------------------ writing

    def _reserve_ids(self, table: str, count: int) -> list[int]:
        """Ids for rows we insert with explicit ids (so links and debts can point at them)."""
        if count == 0:
            return []
        if self.s.get_bind().dialect.name == "postgresql":
            # the sequence hands out ids no other PC will get, inside or outside this transaction
            got = self.s.scalars(text(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                "FROM generate_series(1, :n)"), {"n": count}).all()
            return sorted(int(i) for i in got)
        # SQLite has one writer; WAL refuses to upgrade a snapshot another writer has changed
        start = int(self.s.scalar(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")) or 0) + 1
        return list(range(start, start + count))

    def _new_summaries(self, debts: list[tuple[CleanRow, _Debtor]]) -> dict[_Debtor, dict[str, Any]]:
        """The summary columns of each new debtor, from what this import writes."""
        own_debts: dict[_Debtor, list[DebtFacts]] = {d: [] for d in self.new_debtors}
        for row, debtor in debts:
            if debtor.new:
                own_debts[debtor].append(DebtFacts(row.description, row.amount_cents, row.due_date))
        own_phones: dict[_Debtor, list[PhoneFacts]] = {d: [] for d in self.new_debtors}
        for debtor, phone, _position in self.new_links:  # positions ascend per debtor
            if debtor.new:
                own_phones[debtor].append(PhoneFacts(
                    phone.e164, phone.opted_out, phone.suppressed, phone.whatsapp_status))
        today = self.o.today
        return {d: new_debtor_summary(d.name_key, d.document, own_debts[d], own_phones[d], today)
                for d in self.new_debtors}

    def _opt_in_text(self, line: int) -> str:
        who = f", por {self.o.imported_by}" if self.o.imported_by else ""
        source = f"{self.o.opt_in_source} (importação: {self.o.file_name}, linha {line}{who})"
        return source[:_OPT_IN_MAX]

    def _debtors_bulk(self, dialect: Dialect, debts: list[tuple[CleanRow, _Debtor]]
                      ) -> BulkInsert:
        """The new debtors' rows, summaries included, ready to insert (no database needed)."""
        now = self.o.now
        summaries = self._new_summaries(debts)
        summary_values = itemgetter(*_SUMMARY_COLUMNS)
        return BulkInsert(dialect, _TABLES["debtors"], _DEBTOR_COLUMNS, [
            (d.id, d.name, d.name_key, d.document, d.document_type, d.email,
             *summary_values(summaries[d])) for d in self.new_debtors],
            same={"tags": [], "opted_out": False, "created_at": now, "updated_at": now})

    def write(self, debts: list[tuple[CleanRow, _Debtor]]) -> int:
        """Insert and update everything; returns how many numbers got opt-in evidence.

        On SQLite the new debtors go in last: their summaries (pure Python) are computed on a
        helper thread while SQLite copies the staged phones, links and debts into their tables,
        which it does without holding Python's GIL. Links and debts then point at debtors not
        inserted yet, so foreign keys are checked at COMMIT meanwhile (`defer_foreign_keys`,
        which COMMIT and ROLLBACK switch off again): a missing debtor still fails the import.
        """
        now, table = self.o.now, _TABLES["debtors"]
        for debtor, new_id in zip(self.new_debtors, self._reserve_ids("debtors", len(
                self.new_debtors)), strict=True):
            debtor.id = new_id
        new_phones = [p for p in self.phones.values() if p.new]
        for phone, new_id in zip(new_phones, self._reserve_ids("phones", len(new_phones)),
                                 strict=True):
            phone.id = new_id
        self.total = self.done + len(self.new_debtors) + len(new_phones) + len(
            self.new_links) + len(debts)
        opt_ins = [p for p in self.phones.values() if p.opt_in_line is not None]
        evidence = {id(p): self._opt_in_text(p.opt_in_line) for p in opt_ins
                    if p.opt_in_line is not None}
        operator = self.o.operator_id
        connection = self.s.connection()
        dialect = connection.dialect
        others = [BulkInsert(dialect, _TABLES["phones"], _PHONE_COLUMNS, [
            (p.id, p.e164, p.kind, p.opted_out, p.suppressed, evidence.get(id(p)),
             now if id(p) in evidence else None, operator if id(p) in evidence else None)
            for p in new_phones], same={"whatsapp_status": "unknown", "created_at": now}),
            BulkInsert(dialect, _TABLES["debtor_phones"], _LINK_COLUMNS, [
                (d.id, p.id, p.wrong_party, position) for d, p, position in self.new_links],
                same={"role": "own", "never_message": False, "cpc_status": "unverified"}),
            BulkInsert(dialect, _TABLES["debts"], _DEBT_COLUMNS, [
                (d.id, r.external_id, r.description, r.amount_cents, r.due_date)
                for r, d in debts],
                same={"paid_cents": 0, "status": "open", "created_at": now, "updated_at": now})]
        if dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            for bulk in others:
                bulk.stage(connection, self.tick)
            with ThreadPoolExecutor(1, thread_name_prefix="import-summaries") as helper:
                job = helper.submit(self._debtors_bulk, dialect, debts)
                for bulk in others:
                    bulk.finish(connection)
                debtors = job.result()
            debtors.stage(connection, self.tick)
            debtors.finish(connection)
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = OFF")
        else:  # PostgreSQL checks foreign keys at once: debtors first
            for bulk in (self._debtors_bulk(dialect, debts), *others):
                bulk.stage(connection, self.tick)
        old_opt_ins = [{"b_id": p.id, "b_source": evidence[id(p)]} for p in opt_ins if not p.new]
        if old_opt_ins:
            # checked again in SQL: evidence is only ever added, and never to a blocked number
            connection.execute(
                update(_TABLES["phones"])
                .where(Phone.id == bindparam("b_id"), Phone.opt_in_source.is_(None),
                       Phone.opted_out.is_(False), Phone.suppressed.is_(False))
                .values(opt_in_source=bindparam("b_source"), opt_in_at=now,
                        opt_in_recorded_by=operator), old_opt_ins)
        fills = [{"b_id": d.id, "b_doc": d.fill.get("document", (None, None))[0],
                  "b_type": d.fill.get("document", (None, None))[1], "b_email": d.fill.get("email")}
                 for d in self.debtors.values() if d.fill]
        if fills:
            connection.execute(
                update(table).where(Debtor.id == bindparam("b_id"))
                .values(document=func.coalesce(Debtor.document, bindparam("b_doc")),
                        document_type=func.coalesce(Debtor.document_type, bindparam("b_type")),
                        email=func.coalesce(Debtor.email, bindparam("b_email")), updated_at=now),
                fills)
        return len(opt_ins)


def merge_rows(session: Session, rows: Sequence[CleanRow], options: MergeOptions, *,
               progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None, dry_run: bool = False) -> MergeResult:
    """Merge validated rows into the database (the caller's transaction holds it all).

    Args:
        session: the database thread's session.
        rows: the file's clean rows, in file order.
        options: file name, instants, opt-in source and who imports.
        progress: called with (done, total) as the merge advances (on the database thread).
        cancelled: polled as the merge advances; when it returns True, `ImportCancelled` is
            raised and the caller's transaction rolls back.
        dry_run: do everything, count, then roll back: the counts are exactly what a real
            import would do, and nothing stays.

    Returns:
        The counts, and the rows the merge itself rejected (a name shared by several debtors).
    """
    merge = _Merge(session, options, progress, cancelled)
    merge.total = len(rows) * 2
    merge.load(rows)
    resolved: list[tuple[CleanRow, _Debtor]] = []
    for i, row in enumerate(rows, 1):
        debtor = merge.resolve(row)
        if debtor is not None:
            resolved.append((row, debtor))
        if i % 1000 == 0:
            merge.tick(1000)
    merge.tick(len(rows) % 1000)
    debts = merge.new_debts(resolved)
    opt_ins = merge.write(debts)
    updated = [d for d in merge.debtors.values() if d.changed]
    # new debtors were inserted with their summaries; only the existing ones changed need it
    refresh_summaries(session, [d.id for d in updated if d.id is not None], options.today)
    result = MergeResult(new_debtors=len(merge.new_debtors), updated_debtors=len(updated),
                         new_debts=len(debts), opt_ins=opt_ins, rejected=tuple(merge.rejected))
    if result.new_debtors or result.updated_debtors or result.new_debts or opt_ins:
        audit.append(session, action="debtors.import", operator_id=options.operator_id,
                     object_type="file", object_id=options.file_name[:40], now=options.now,
                     details={"file": options.file_name, "rows": len(rows),
                              "new_debtors": result.new_debtors,
                              "updated_debtors": result.updated_debtors,
                              "new_debts": result.new_debts, "opt_ins": opt_ins,
                              "imported_by": options.imported_by})
    if dry_run:
        session.rollback()
    return result
