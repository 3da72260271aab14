"""The demo's living inbox: simulated debtors who write to the shop on their own (issue 6).

The emulator's simulated debtors already answer the templates the shop sends; on top of that, while
the demo window is open, a demo debtor writes now and then — a question, a promise, a request for
the PIX code, a tap on a button of the last reminder — through the emulator, so the message comes
back as a signed webhook exactly as from Meta. The texts are what people type in WhatsApp (content,
not program text: not translated with the interface).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from typing import Any

from cobrador_desktop.domain.templates import BUTTON_ACTIONS
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos.demo_live import Talker, talkers

log = logging.getLogger("cobrador.demo")

#: (what they send, weight): texts with `{dia}` get a day of next week; `button:<label>` taps the
#: quick reply of that label on their open debt
LINES: tuple[tuple[str, int], ...] = (
    ("Oi, boa tarde! Recebi a mensagem de vocês.", 10),
    ("Qual o valor atualizado da minha parcela?", 10),
    ("Consigo pagar dia {dia}, pode ser?", 9),
    ("Pode me mandar o PIX?", 9),
    ("Já paguei ontem, vou mandar o comprovante", 7),
    ("Quero negociar, consigo parcelar em 3x?", 7),
    ("Bom dia, quem fala?", 5),
    ("Vou passar na loja sábado pra acertar", 5),
    ("button:Quero o código PIX", 8),
    ("button:Já paguei", 5),
    ("button:Negociar", 5),
    ("button:Falar com atendente", 4),
)

#: seconds before the first message, and between two messages (uniform)
FIRST_AFTER = 6.0
EVERY = (25.0, 70.0)


def compose(rng: random.Random, talker: Talker) -> dict[str, Any]:
    """One inbound message spec for the emulator (`outcomes.inbound`) from `talker`."""
    line = rng.choices([text for text, _ in LINES], weights=[w for _, w in LINES])[0]
    spec: dict[str, Any] = {"from": talker.e164, "name": talker.first_name}
    if line.startswith("button:"):
        label = line.removeprefix("button:")
        prefix = BUTTON_ACTIONS.get(label)
        if prefix is not None and talker.debt_id is not None:
            return spec | {"type": "button", "text": label,
                           "payload": f"{prefix}:d{talker.debt_id}"}
        line = "Pode me mandar o PIX?"
    return spec | {"type": "text", "text": line.replace("{dia}", str(rng.randint(5, 28)))}


class LiveDebtors:
    """Makes demo debtors write through `send` (the emulator's inbound) until `stop`."""

    def __init__(self, db: Runner, send: Callable[[dict[str, Any]], object], *,
                 seed: int | None = None, first_after: float = FIRST_AFTER,
                 every: tuple[float, float] = EVERY) -> None:
        self._db = db
        self._send = send
        self._rng = random.Random(seed)
        self._first_after = first_after
        self._every = every
        self._stop = asyncio.Event()
        self.sent = 0

    async def run(self) -> None:
        """Write now and then until `stop()`; a failure is logged, never raised into the demo."""
        people: Sequence[Talker] = await self._db.run(talkers)
        if not people:
            log.info("demo: no debtor with a conversation to write")
            return
        delay = self._first_after
        while not await self._wait(delay):
            try:
                self._send(compose(self._rng, self._rng.choice(people)))
                self.sent += 1
            except Exception:
                log.exception("demo: a simulated debtor could not write")
            delay = self._rng.uniform(*self._every)

    def stop(self) -> None:
        self._stop.set()

    async def _wait(self, seconds: float) -> bool:
        """Sleep `seconds` unless stopped; True when stopped."""
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True
