"""`emulator`: the local Cloud API emulator on its own (INTERFACES.md §1), for tests and trials.

It answers the Graph API paths the program uses and, given `--webhook-url`, sends signed webhooks
there with `WHATSAPP_APP_SECRET`. Nothing leaves this computer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP


class EmulatorSecretMissing(KnownError):
    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Para enviar webhooks assinados, o emulador precisa de WHATSAPP_APP_SECRET.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Defina WHATSAPP_APP_SECRET com o mesmo segredo usado pelo “serve” (ou pelo programa) "
        "e rode de novo.")


def run_emulator_command(args: argparse.Namespace) -> int:
    from cobrador_desktop.whatsapp.emulator import API_VERSION, EmulatorConfig

    defaults = EmulatorConfig()
    secret = os.environ.get("WHATSAPP_APP_SECRET") or None
    if args.webhook_url and not secret:
        raise EmulatorSecretMissing()
    token = os.environ.get("WHATSAPP_ACCESS_TOKEN") or defaults.access_token
    phone_id = os.environ.get("WHATSAPP_PHONE_NUMBER_ID") or defaults.phone_number_id
    waba_id = os.environ.get("WHATSAPP_WABA_ID") or defaults.waba_id
    base = f"http://{args.host}:{args.port}/{API_VERSION}"
    shown_token = "o de WHATSAPP_ACCESS_TOKEN" if "WHATSAPP_ACCESS_TOKEN" in os.environ \
        else f"“{token}”"
    print(f"Emulador da API do WhatsApp em {base} (número {phone_id}, conta {waba_id}, "
          f"token {shown_token}). Para usá-lo: WHATSAPP_API_BASE_URL={base}. "
          + (f"Webhooks assinados vão para {args.webhook_url}. " if args.webhook_url else "")
          + "Ctrl+C para parar.", file=sys.stderr, flush=True)
    return asyncio.run(_run(args, secret, token, phone_id, waba_id))


async def _run(args: argparse.Namespace, secret: str | None, token: str, phone_id: str,
               waba_id: str) -> int:
    from cobrador_desktop.whatsapp.emulator import run_emulator

    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(run_emulator(args.host, args.port, args.webhook_url, secret,
                                              token, phone_id, waba_id))
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        return 0
    except OSError as exc:
        print(f"Não foi possível escutar em {args.host}:{args.port}: {exc.strerror or exc}. "
              "Escolha outra porta com --port.", file=sys.stderr)
        return 1
    return 0
