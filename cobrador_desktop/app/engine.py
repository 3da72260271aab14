"""The WhatsApp engine on the running asyncio loop: the webhook receiver and the outbox sender.

`serve`, the window on the shop's own profile and the demo all run this one set-up; they differ
only in where the secrets and the Cloud API come from (the environment, or the demo's emulator).
Either half is optional: without the app secret and verify token nothing is received, without a
number and token nothing is sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from cobrador_desktop.domain.clock import DEFAULT_SHOP_ZONE, Clock
from cobrador_desktop.scheduler.daily import DailyJob

if TYPE_CHECKING:
    from cobrador_desktop.app.secrets import SecretStore
    from cobrador_desktop.app.sender_election import SenderElection, SenderState
    from cobrador_desktop.domain.connection import ConnectionFields
    from cobrador_desktop.services.events import ChangeFeed
    from cobrador_desktop.services.ingest import WebhookIngest
    from cobrador_desktop.services.outbox import OutboxSender
    from cobrador_desktop.storage.db import Database
    from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig
    from cobrador_desktop.whatsapp.webhook.server import WebhookServer

log = logging.getLogger("cobrador.app")

#: the account sync runs when the number is connected and again each night at this local time
ACCOUNT_SYNC_AT = time(0, 30)
#: the régua's daily pass, shop time: just after the default contact window opens (09:00), so the
#: day's allowed messages are paced over the hours left and debtors in zones behind the shop's
#: are held to their own 09:00; the sender re-judges each row when its time comes
REGUA_AT = time(9, 5)
#: how often the régua's job looks at the clock (a PC waking from suspend runs the day soon after)
REGUA_LOOK_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class ReceiverConfig:
    """Where to listen for Meta's webhooks and how to check them."""

    app_secrets: Sequence[bytes]
    verify_token: str
    host: str = "127.0.0.1"
    port: int = 8080


class WhatsAppEngine:
    """Receives webhooks into the database and sends the outbox, until `stop`.

    Given the shop's `timezone` it also runs the daily upkeep (`services.upkeep`).

    With `elect` (the default) it does all that only while it holds the database's sender lock
    (`app.sender_election`): on several PCs exactly one sends; the others answer `/healthz`
    (webhooks get 503, so Meta delivers them again) and wait to take over.
    """

    def __init__(self, db: Database, clock: Clock, *, receiver: ReceiverConfig | None,
                 cloud: CloudApiConfig | None, timezone: tzinfo | None = None,
                 upkeep_delay: float = 5.0, feed: ChangeFeed | None = None,
                 elect: bool = True,
                 on_sender_change: Callable[[SenderState], None] | None = None) -> None:
        """`feed`: told which conversations each webhook changed, after its commit (the
        window's inbox shows them at once instead of at its next poll). `on_sender_change`:
        told when this process becomes the sender or learns who is."""
        from cobrador_desktop.services.ingest import WebhookIngest

        self._db = db
        self._clock = clock
        self._receiver_config = receiver
        self._cloud = cloud
        self.ingest: WebhookIngest = WebhookIngest(db, clock, feed=feed)
        self.sender: OutboxSender | None = None
        self.receiver_url: str | None = None
        self._server: WebhookServer | None = None
        self._client: CloudApiClient | None = None
        self._stop = asyncio.Event()
        self._sender_task: asyncio.Future[None] | None = None
        self._timezone = timezone
        self._upkeep_delay = upkeep_delay
        self._upkeep_task: asyncio.Future[None] | None = None
        #: the other daily jobs of the sending process (account sync, régua)
        self._jobs: list[asyncio.Future[None]] = []
        #: set once the account sync has read the templates and the number's quality
        self._synced = asyncio.Event()
        self._elect = elect
        #: told (on the loop) when this process becomes the sender or learns who is
        self.on_sender_change = on_sender_change
        self.election: SenderElection | None = None
        #: whether this process is the sender now (receives, sends, runs the scheduler)
        self.is_sender = False
        #: set when this process stops being the sender (its tasks end); renewed each term
        self._term = asyncio.Event()

    @property
    def runs_upkeep(self) -> bool:
        """Whether this engine runs the daily upkeep (it was given the shop's timezone)."""
        return self._timezone is not None

    @property
    def sending(self) -> bool:
        """Whether the outbox is being sent (a number is configured and no alert stopped it)."""
        return self.sender is not None and not self.sender.stopped

    async def start(self) -> None:
        """Listen (raises OSError when the port is taken: nothing is left running), then send.

        Rows a previous run left `sending` become `unknown` before anything is sent.
        """
        if self._receiver_config is not None:
            from cobrador_desktop.whatsapp.webhook.server import WebhookServer

            config = self._receiver_config
            self._server = WebhookServer(app_secrets=config.app_secrets,
                                         verify_token=config.verify_token,
                                         deliver=self.ingest.deliver, health=self.health,
                                         accepting=lambda: self.is_sender)
            self.receiver_url = await self._server.start(config.host, config.port)
        if not self._elect:
            await self._become_sender()
            return
        from cobrador_desktop.app.sender_election import SenderElection
        from cobrador_desktop.storage.sender_lock import sender_lock

        self.election = SenderElection(sender_lock(self._db), become=self._become_sender,
                                       step_down=self._step_down,
                                       on_change=self._sender_changed)
        try:
            await self.election.start()
        except BaseException:
            await self.stop()
            raise

    def _sender_changed(self, state: SenderState) -> None:
        if self.on_sender_change is not None:
            self.on_sender_change(state)

    async def _become_sender(self) -> None:
        """This process holds the sender lock: receive, send and run the scheduler."""
        self._term = asyncio.Event()
        self.is_sender = True
        if self._cloud is not None:
            await self._start_sending(self._cloud)
        if self._timezone is not None:
            from cobrador_desktop.services.upkeep import RUN_AT, DailyUpkeep

            upkeep = DailyUpkeep(self._db, self._clock, self._timezone)
            job = DailyJob("daily upkeep", upkeep.run_once, self._clock, self._timezone,
                           at=RUN_AT)
            self._upkeep_task = asyncio.ensure_future(
                job.run_forever(self._term, first_delay=self._upkeep_delay))

    async def _step_down(self) -> None:
        """The lock was lost: stop sending and the scheduler (what is under way finishes)."""
        self.is_sender = False
        self._term.set()
        await self._end_term()
        self.sender = None  # the next term starts its own

    async def start_sending(self, cloud: CloudApiConfig) -> None:
        """Send the outbox through `cloud` (the demo learns its emulator's address late); a
        process waiting for the sender lock sends through it once it holds the lock."""
        self._cloud = cloud
        if self.is_sender:
            await self._start_sending(cloud)

    async def _start_sending(self, cloud: CloudApiConfig) -> None:
        from cobrador_desktop.services.outbox import OutboxSender
        from cobrador_desktop.whatsapp.client import CloudApiClient

        if self.sender is not None:
            raise RuntimeError("the outbox is already being sent")
        self._client = CloudApiClient(cloud)
        self.sender = OutboxSender(self._db, self._client, self._clock,
                                   shop_zone=self.shop_zone)
        unknown = await self.sender.start()
        if unknown:
            log.warning("%d sends had no answer when the program stopped: marked unknown, "
                        "never re-sent automatically", unknown)
        self._sender_task = asyncio.ensure_future(self.sender.run_forever(self._term))
        self._jobs.append(asyncio.ensure_future(self._account_sync().run_forever(self._term)))
        if self._timezone is not None:
            self._jobs.append(asyncio.ensure_future(self._regua().run_forever(
                self._term, first_delay=self._upkeep_delay)))

    @property
    def shop_zone(self) -> str:
        """The shop's IANA zone name (COBRADOR_TIMEZONE; São Paulo when none was given)."""
        return str(getattr(self._timezone, "key", None) or DEFAULT_SHOP_ZONE)

    def _regua(self) -> DailyJob:
        """The régua's daily pass, in the one process that sends (after the upkeep's refresh)."""
        from cobrador_desktop.services.reminders import ReminderService

        assert self._timezone is not None
        service = ReminderService(self._db, self._clock, shop_zone=self.shop_zone)

        async def day() -> None:
            # the guard needs the templates and the number's quality: never plan before the
            # first sync (a step judged on missing facts would be logged as blocked)
            synced = asyncio.ensure_future(self._synced.wait())
            term = self._term
            stopping = asyncio.ensure_future(term.wait())
            await asyncio.wait((synced, stopping), return_when=asyncio.FIRST_COMPLETED)
            synced.cancel()
            stopping.cancel()
            if term.is_set():
                return
            plan = await service.run(self._clock.now())
            counts = plan.counts_by_decision()
            log.info("régua: %s; %d steps skipped", ", ".join(
                f"{n} {decision}" for decision, n in sorted(counts.items())) or "nothing due",
                len(plan.skipped))
            if self.sender is not None:
                self.sender.wake()

        return DailyJob("régua", day, self._clock, self._timezone, at=REGUA_AT,
                        max_sleep=REGUA_LOOK_EVERY)

    def _account_sync(self) -> DailyJob:
        """Templates and the number's health from the Cloud API: now, then every night."""
        from cobrador_desktop.services.account_sync import AccountSync

        assert self._client is not None
        sync = AccountSync(self._db, self._client, self._clock)

        async def run() -> None:
            await sync.run()
            self._synced.set()

        return DailyJob("account sync", run, self._clock, self._timezone or UTC,
                        at=ACCOUNT_SYNC_AT)

    async def stop(self) -> None:
        """Finish what is under way: the send in flight is recorded, the webhook committed."""
        self._stop.set()
        self._term.set()
        try:
            await self._end_term()
        finally:
            self.is_sender = False
            if self._server is not None:
                await self._server.stop()
                self._server = None
            if self.election is not None:
                await self.election.stop()  # after the last send: then the lock goes
                self.election = None

    async def _end_term(self) -> None:
        """Wait for the sender and the daily jobs to end (`_term` is set) and close the client."""
        try:
            if self._sender_task is not None:
                await self._sender_task
                self._sender_task = None
            if self._upkeep_task is not None:
                await self._upkeep_task  # an upkeep under way commits (or rolls back) first
                self._upkeep_task = None
            for job in self._jobs:
                await job
            self._jobs.clear()
        finally:
            if self._client is not None:
                await self._client.aclose()
                self._client = None

    async def health(self) -> dict[str, Any]:
        """What `/healthz` answers (INTERFACES.md §3)."""
        from cobrador_desktop.storage.repos.outbox import queue_length, unknown_count

        webhooks = self.ingest.health()
        try:
            queued, unknown = await self._db.run(lambda s: (queue_length(s), unknown_count(s)))
            database_ok = True
        except Exception:
            log.exception("database check failed")
            queued, unknown, database_ok = None, None, False
        sender = self.sender
        election = self.election.state if self.election is not None else None
        return {
            # several PCs: whether this process sends, and if not who does (INTERFACES.md §3)
            "sender": self.is_sender,
            "other_sender": election.other if election is not None else None,
            "sender_note": election.note if election is not None else None,
            "status": "ok" if database_ok else "error",
            "database": database_ok,
            "outbox_queue": queued,
            # sends whose answer was lost: never resent automatically, an operator checks them
            "outbox_unknown": unknown,
            "last_webhook_received": (webhooks.last_received_at.isoformat()
                                      if webhooks.last_received_at else None),
            "last_send": (sender.last_sent_at.isoformat()
                          if sender is not None and sender.last_sent_at else None),
            "account_alert": webhooks.account_alert,
            "sending": self.sending,
            "send_alert": sender.alert if sender is not None else None,
        }


def engine_from_environment(db: Database, clock: Clock, timezone: tzinfo | None = None, *,
                            feed: ChangeFeed | None = None,
                            fields: ConnectionFields | None = None,
                            store: SecretStore | None = None) -> WhatsAppEngine | None:
    """The window's engine on the shop's own profile: what is configured, or None.

    The WHATSAPP_* environment variables override the saved connection (`fields`, from
    `services.connection`) and the secrets in `store` (`app.secrets`). The window receives on
    127.0.0.1 only (port `COBRADOR_WEBHOOK_PORT`, default 8080, as `serve`): Meta reaches it
    through the HTTPS tunnel the README describes.
    """
    from cobrador_desktop.app.config import (
        WebhookSecretsMissing,
        cloud_api_config,
        webhook_port,
        webhook_secrets,
    )

    receiver = None
    try:
        secrets, token = webhook_secrets(store)
    except WebhookSecretsMissing:
        pass  # nothing is received without both
    else:
        receiver = ReceiverConfig(secrets, token, "127.0.0.1", webhook_port())
    cloud = cloud_api_config(fields, store)
    if receiver is None and cloud is None:
        return None
    return WhatsAppEngine(db, clock, receiver=receiver, cloud=cloud, timezone=timezone,
                          feed=feed)
