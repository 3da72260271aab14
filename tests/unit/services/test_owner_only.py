"""Every owner-only service call, enumerated from `services.authz.OWNER_ONLY`, on real databases.

For each one: an operator is refused (`OwnerOnly`), an `access.denied` entry {action,
operator_id} is committed, and nothing else in the database changed (every table compared row by
row; an export leaves no file); then the owner and the system (`operator_id=None`) get through.
`CALLS` must name every registered action: a new owner-only call without its line here fails.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

import cobrador_desktop.services
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.records import DebtorSort
from cobrador_desktop.domain.regua import DEFAULT_REGUA
from cobrador_desktop.domain.roles import OwnerOnly, Role
from cobrador_desktop.domain.setup import SafetyChecklist
from cobrador_desktop.services import authz
from cobrador_desktop.services.backup_restore import RestoreGate
from cobrador_desktop.services.connection import ConnectionService
from cobrador_desktop.services.costs import CostService
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.services.dossier import DossierService
from cobrador_desktop.services.export import export_json
from cobrador_desktop.services.export_list import export_list
from cobrador_desktop.services.inbox import InboxService
from cobrador_desktop.services.lgpd import anonymise_person, export_person
from cobrador_desktop.services.operators import OperatorService
from cobrador_desktop.services.regua import ReguaService
from cobrador_desktop.services.satisfaction import SatisfactionService
from cobrador_desktop.services.setup import SetupSettings
from cobrador_desktop.services.shop_settings import ShopSettingsService
from cobrador_desktop.services.templates import TemplateService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Base, DebtorPhone, Operator
from tests.unit.services.test_operators import CHEAP
from tests.unit.storage.factories import add_debt, add_phone
from tests.unit.storage.test_inbox_repo import chat

T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
SHOP = {"trade_name": "Loja Exemplo", "legal_name": "Exemplo Ltda",
        "document": "11.222.333/0001-81", "address": "Rua A, 1", "uf": "SP"}


@dataclass
class World:
    db: Database
    clock: FakeClock
    files: Path
    owner: int
    operator: int
    other: int
    debtor: int
    phone: int
    conversation: int

    def file(self, who: int | None, suffix: str) -> Path:
        return self.files / f"{'sistema' if who is None else who}{suffix}"


def _person(session: Session, name: str, role: Role) -> int:
    person = Operator(name=name, login=name.lower(), role=role.value, active=True)
    session.add(person)
    session.flush()
    return person.id


def world(database: Database, tmp_path: Path) -> World:
    def work(session: Session) -> tuple[int, ...]:
        owner = _person(session, "Rita", Role.OWNER)
        operator = _person(session, "Ana", Role.OPERATOR)
        other = _person(session, "Bruno", Role.OPERATOR)
        conversation = chat(session, at=T - timedelta(minutes=1))  # debtor 1, Maria
        add_debt(session, 1, 8990, date(2026, 11, 10))
        phone = add_phone(session, 1, "+5511912345678", position=1)
        session.execute(update(DebtorPhone).where(DebtorPhone.phone_id == phone).values(
            wrong_party=True, wrong_party_at=T - timedelta(days=3), cpc_status="denied"))
        return owner, operator, other, 1, phone, conversation
    ids = database.run_sync(work)
    return World(database, FakeClock(T), tmp_path, *ids)


def _regua(w: World) -> ReguaService:
    return ReguaService(w.db, w.clock)


def _settings(w: World) -> ShopSettingsService:
    return ShopSettingsService(w.db, w.clock)


def _operators(w: World) -> OperatorService:
    return OperatorService(w.db, w.clock, hasher=CHEAP)


def _inbox(w: World) -> InboxService:
    return InboxService(w.db, w.clock, shop_zone="America/Sao_Paulo")


def _detail(w: World) -> DebtorDetailService:
    return DebtorDetailService(w.db, clock=w.clock, today=lambda: TODAY)


def _templates(w: World) -> TemplateService:
    return TemplateService(w.db, w.clock, lambda: None)


Call = Callable[[World, Any], Any]
#: action -> how to make that call as `who`, on `World`'s data
CALLS: dict[str, Call] = {
    "settings.shop": lambda w, who: _settings(w).save_shop(SHOP, who),
    "connection.save": lambda w, who: ConnectionService(w.db, w.clock).save(
        {"phone_number_id": "1122334455667"}, who),
    "settings.pix": lambda w, who: _settings(w).save_pix(
        "11.222.333/0001-81", "Loja Exemplo", "Campinas", who),
    "settings.contact_hours": lambda w, who: _settings(w).save_profile({"daily_cap": 2}, who),
    "settings.capacity": lambda w, who: _settings(w).save_capacity(2, 30, who),
    "settings.safety_checklist": lambda w, who: SetupSettings(w.db, w.clock).save_checklist(
        SafetyChecklist(collections_only=True), who),
    "settings.agreement_break": lambda w, who: _settings(w).save_agreement_break(60, who),
    "regua.save": lambda w, who: _regua(w).save(DEFAULT_REGUA, who),
    "settings.payment_survey": lambda w, who: SatisfactionService(
        w.db, w.clock, "America/Sao_Paulo").set_enabled(True, who),
    "costs.price_table": lambda w, who: CostService(w.db, w.clock).save_table(
        {"usd_brl": "5,75", "rows": [{"category": "utility", "window": "outside",
                                      "from": "2026-07-01", "currency": "BRL",
                                      "price": "0,04"}]}, who),
    "templates.submit_pack": lambda w, who: _templates(w).submit_pack(who),
    "operators.add": lambda w, who: _operators(w).add_operator(
        "Carla", Role.OPERATOR, "senha-da-carla", who),
    "operators.set_password": lambda w, who: _operators(w).set_password(
        w.other, "outra-senha-1", who),
    "operators.set_active": lambda w, who: _operators(w).set_active(w.other, False, who),
    "operators.set_role": lambda w, who: _operators(w).set_role(w.other, Role.OWNER, who),
    "audit.view": lambda w, who: _operators(w).audit_entries(who),
    "audit.export": lambda w, who: _operators(w).export_audit(who, w.file(who, ".csv")),
    "export.json": lambda w, who: export_json(w.db, w.file(who, ".json"), now=T,
                                              operator_id=who),
    "export.list": lambda w, who: export_list(
        w.db, w.file(who, ".csv"), query=None, sort=DebtorSort.NAME, today=TODAY, tz=UTC,
        operator_id=who),
    "lgpd.export_person": lambda w, who: export_person(
        w.db, w.debtor, w.file(who, "-pessoa.json"), now=T, operator_id=who),
    "lgpd.anonymise": lambda w, who: anonymise_person(w.db, w.debtor, now=T, today=TODAY,
                                                      operator_id=who),
    "debtor.dossier": lambda w, who: DossierService(w.db, w.clock, UTC).gather(w.debtor, who),
    "phone.clear_wrong_party": lambda w, who: _detail(w).clear_wrong_party(
        w.debtor, w.phone, "Ela confirmou na loja que o número é dela", operator_id=who),
    # the window asks the gate before it closes and swaps the database file (app/backend.py)
    "backup.restore": lambda w, who: RestoreGate(w.db, w.clock).allow(who),
    "send.confirm": lambda w, who: _inbox(w).send_text(
        w.conversation, who, "Oi Maria", seen_message_id=None, confirm_note="combinado"),
    "send.confirm_template": lambda w, who: _inbox(w).send_template(
        w.conversation, who, "lembrete_vencimento_v1", "pt_BR", seen_message_id=None,
        confirm_note="combinado"),
}


def _import_all_services() -> None:
    """Import every service module, so every decorator has registered its action."""
    for module in pkgutil.walk_packages(cobrador_desktop.services.__path__,
                                        "cobrador_desktop.services."):
        importlib.import_module(module.name)


def _call(w: World, action: str, who: int | None) -> Any:
    result = CALLS[action](w, who)
    return asyncio.run(result) if inspect.isawaitable(result) else result


def _snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    tables = {}
    for table in Base.metadata.sorted_tables:
        if table.name == "audit_log":
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        tables[table.name] = [tuple(r) for r in session.execute(select(table).order_by(*order))]
    return tables


def _audit(session: Session, after: int) -> list[tuple[str, int | None, dict[str, Any]]]:
    return [(e.action, e.operator_id, e.details) for e in session.scalars(
        select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id))]


def _last_audit(session: Session) -> int:
    return session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def test_every_owner_only_action_has_a_call_here() -> None:
    _import_all_services()
    assert set(authz.OWNER_ONLY) == set(CALLS), (
        f"not called here: {sorted(set(authz.OWNER_ONLY) - set(CALLS))}; "
        f"no longer owner-only: {sorted(set(CALLS) - set(authz.OWNER_ONLY))}")
    for action, qualname in authz.OWNER_ONLY.items():  # each names a real callable
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            try:
                target: Any = importlib.import_module(".".join(parts[:cut]))
            except ModuleNotFoundError:
                continue
            for part in parts[cut:]:
                target = getattr(target, part)
            assert callable(target), action
            break
        else:
            pytest.fail(f"{action}: {qualname} not found")
        assert authz.WHAT[action], action


@pytest.mark.parametrize("action", sorted(CALLS))
def test_an_operator_is_refused_audited_and_nothing_changes(
        database: Database, tmp_path: Path, action: str) -> None:
    w = world(database, tmp_path)
    before = database.run_sync(_snapshot)
    last = database.run_sync(_last_audit)
    with pytest.raises(OwnerOnly) as refused:
        _call(w, action, w.operator)
    assert refused.value.message.startswith("Só o dono da loja pode ")
    assert authz.WHAT[action] in refused.value.message
    assert database.run_sync(lambda s: _audit(s, last)) == [
        ("access.denied", w.operator, {"action": action, "operator_id": w.operator})]
    assert database.run_sync(_snapshot) == before
    assert not list(tmp_path.glob(f"{w.operator}*")), "a refused export wrote a file"

    # an unknown id, or a disabled owner, is refused too
    database.run_sync(lambda s: s.execute(update(Operator).where(Operator.id == w.owner)
                                          .values(active=False)))
    with pytest.raises(OwnerOnly):
        _call(w, action, w.owner)
    with pytest.raises(OwnerOnly):
        _call(w, action, 999)
    database.run_sync(lambda s: s.execute(update(Operator).where(Operator.id == w.owner)
                                          .values(active=True)))

    # the owner, then the system, get through (whatever the call then says about its data)
    for who in (w.owner, None):
        try:
            _call(w, action, who)
        except OwnerOnly:
            pytest.fail(f"{action} refused {who}")
        except KnownError:
            pass  # past the role check: e.g. no WhatsApp number to submit templates to
