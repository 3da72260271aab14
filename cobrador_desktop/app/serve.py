"""`serve`: the headless process that receives Meta's webhooks and sends the outbox (INTERFACES.md §1, §3).

It stores every verified webhook before answering 200, sends what waits in the outbox when a
number is configured (saved in the program, or WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_ACCESS_TOKEN,
which override the saved connection and secrets), and reports on
`/healthz`. The reminder scheduler joins it with the régua; it says so when it starts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cobrador_desktop.app.config import Profile, webhook_secrets
from cobrador_desktop.app.secrets import store_or_none

if TYPE_CHECKING:
    from cobrador_desktop.app.secrets import SecretStore

log = logging.getLogger("cobrador.app")


def run_serve(profile: Profile, args: argparse.Namespace) -> int:
    store = store_or_none(profile)  # the environment overrides it; a locked file: env only
    secrets, verify_token = webhook_secrets(store)
    return asyncio.run(_serve(profile, args.host, args.port, secrets, verify_token, store))


async def _serve(profile: Profile, host: str, port: int, secrets: list[bytes],
                 verify_token: str, store: SecretStore | None = None,
                 stop: asyncio.Event | None = None) -> int:
    """Serve until SIGINT/SIGTERM (or `stop` is set: tests run it in their own loop)."""
    from cobrador_desktop.app.config import cloud_api_config, process_clock
    from cobrador_desktop.app.engine import ReceiverConfig, WhatsAppEngine
    from cobrador_desktop.services.connection import load_connection_sync
    from cobrador_desktop.storage.db import open_database

    loop = asyncio.get_running_loop()
    db = await loop.run_in_executor(
        None, lambda: open_database(profile.database_url, backup_dir=profile.backup_dir))
    fields = await loop.run_in_executor(None, load_connection_sync, db)
    engine = WhatsAppEngine(db, process_clock(), receiver=ReceiverConfig(secrets, verify_token,
                                                                       host, port),
                            cloud=cloud_api_config(fields, store),
                            timezone=ZoneInfo(profile.timezone))  # the daily upkeep runs here too
    stop = stop or asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Windows has no loop signal handlers: Ctrl+C arrives as KeyboardInterrupt there
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await engine.start()
    except OSError as exc:
        await engine.stop()
        db.close()
        print(f"Não foi possível escutar em {host}:{port}: {exc.strerror or exc}. Escolha outra "
              "porta com --port ou feche o programa que a usa.", file=sys.stderr)
        return 1
    url = engine.receiver_url
    election = engine.election.state if engine.election is not None else None
    if election is not None and not election.is_sender:
        # several PCs on one database: exactly one sends (issue 8)
        sending = (f"esperando: {election.note}; este assume sozinho se aquele parar "
                   "(até lá, webhooks recebem 503 e a Meta os entrega de novo)")
    elif engine.sender is not None:
        sending = "enviando a fila de mensagens; a régua roda todo dia às 09:05"
    else:
        sending = ("sem enviar nem rodar a régua: nenhum número configurado "
                   "(WHATSAPP_PHONE_NUMBER_ID e WHATSAPP_ACCESS_TOKEN)")
    print(f"Recebendo webhooks em {url}/webhook (saúde em {url}/healthz); {sending}. "
          "Ctrl+C para parar.", file=sys.stderr, flush=True)
    from cobrador_desktop.app.backup_port import sqlite_backups, start_daily_backups

    backups = sqlite_backups(profile)  # SQLite: one copy a shop day, here as in the window
    backups_job = start_daily_backups(backups, ZoneInfo(profile.timezone), stop,
                                      first_delay=5.0) if backups is not None else None
    try:
        await stop.wait()
    finally:
        print("Parando: terminando o que está em andamento…", file=sys.stderr, flush=True)
        await engine.stop()  # the send and the webhook commits under way finish first
        if backups_job is not None:
            await backups_job  # a copy under way is finished
        db.close()
    return 0
