"""`remind [--at ISO-8601] [--dry-run] [--json]`: one pass of the régua (INTERFACES.md §1, §6).

Plans the day at `--at` (default: now, on serve's clock: `COBRADOR_CLOCK_START` moves it against
the local emulator), each message judged by the send guard. Without `--dry-run` the pass is
recorded: allowed and held messages go to the outbox, and when a number is configured what is due
right now is sent before the command ends (the paced rest leaves with `serve`). `--json` prints
one JSON object per planned message (skipped steps included, with their reason); otherwise a
pt-BR summary with the counts per decision and per reason.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cobrador_desktop.app.config import Profile
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from cobrador_desktop.domain.clock import Clock
    from cobrador_desktop.services.reminders import Plan

DECISION_LABELS = {"allowed": "liberadas", "held": "aguardando o próximo horário",
                   "blocked": "bloqueadas"}


class RemindAtInvalid(KnownError):
    exit_code = 2
    message_template = QT_TRANSLATE_NOOP("KnownError", "Data e hora inválidas em --at: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Use ISO-8601, por exemplo 2026-12-08T10:00 (horário da loja) ou "
        "2026-12-08T13:00:00Z.")


def parse_at(value: str, shop_zone: str) -> datetime:
    """`--at` as an aware UTC instant; without a zone it is the shop's local time.

    Raises:
        RemindAtInvalid: not an ISO-8601 date and time.
    """
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RemindAtInvalid(value=value) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(shop_zone))
    return at.astimezone(ZoneInfo("UTC"))


def run_remind(profile: Profile, args: argparse.Namespace) -> int:
    from cobrador_desktop.app.config import process_clock

    clock = process_clock()
    at = parse_at(args.at, profile.timezone) if args.at else clock.now()
    plan, sent = asyncio.run(_remind(profile, clock, at, dry_run=args.dry_run))
    if args.json:
        for message in (*plan.items, *plan.skipped):
            print(json.dumps(message.to_json(), ensure_ascii=False), flush=True)
    else:
        print(summary(plan, profile.timezone, dry_run=args.dry_run, sent=sent), flush=True)
    return 0


async def _remind(profile: Profile, clock: Clock, at: datetime, *,
                  dry_run: bool) -> tuple[Plan, int | None]:
    """The pass, and how many messages left now (None: dry run or no number configured)."""
    from cobrador_desktop.app.config import cloud_api_config
    from cobrador_desktop.services.reminders import ReminderService
    from cobrador_desktop.storage.db import open_database

    loop = asyncio.get_running_loop()
    db = await loop.run_in_executor(
        None, lambda: open_database(profile.database_url, backup_dir=profile.backup_dir))
    try:
        service = ReminderService(db, clock, shop_zone=profile.timezone)
        if dry_run:
            return await service.plan(at), None
        plan = await service.run(at)
        from cobrador_desktop.app.secrets import store_or_none
        from cobrador_desktop.services.connection import load_connection_sync

        fields = await loop.run_in_executor(None, load_connection_sync, db)
        cloud = cloud_api_config(fields, store_or_none(profile))
        if cloud is None or not any(m.outbox_id is not None for m in plan.items):
            return plan, None
        from cobrador_desktop.services.outbox import OutboxSender
        from cobrador_desktop.whatsapp.client import CloudApiClient

        client = CloudApiClient(cloud)
        try:
            sent = await OutboxSender(db, client, clock).run_once()
        finally:
            await client.aclose()
        return plan, sent
    finally:
        db.close()


def summary(plan: Plan, shop_zone: str, *, dry_run: bool, sent: int | None) -> str:
    """The pt-BR report of a pass: counts per decision and per reason."""
    local = plan.at.astimezone(ZoneInfo(shop_zone)).strftime("%d/%m/%Y %H:%M")
    lines = [f"Régua de {local}" + (" (simulação: nada foi gravado nem enviado)" if dry_run
                                    else "")]
    counts = plan.counts_by_decision()
    lines.append(f"Mensagens planejadas: {len(plan.items)} — " + ", ".join(
        f"{DECISION_LABELS[key]}: {value}" for key, value in counts.items()))
    lines.append(f"Etapas puladas: {len(plan.skipped)}")
    reasons = plan.counts_by_reason()
    if reasons:
        lines.append("Motivos:")
        examples: dict[str, str] = {}
        for message in (*plan.items, *plan.skipped):
            reason = message.decision.main_reason
            if reason is not None:
                examples.setdefault(reason.code, reason.message)
        lines.extend(f"  {code}: {n} — {examples.get(code, '')}" for code, n in reasons.items())
    if not dry_run:
        queued = sum(1 for m in plan.items if m.outbox_id is not None)
        lines.append(f"Na fila de envio: {queued}.")
        if sent is not None:
            lines.append(f"Enviadas agora: {sent}; as demais saem no horário marcado com o "
                         "serve.")
        elif queued:
            lines.append("Nenhum número do WhatsApp configurado aqui: a fila sai com o serve "
                         "(WHATSAPP_PHONE_NUMBER_ID e WHATSAPP_ACCESS_TOKEN).")
    return "\n".join(lines)
