"""The emulator's configuration, its memory, Meta's error envelope and the two rate limits.

Everything time-dependent reads the injected clock, so a `FakeClock` makes windows, rates and
webhook delays deterministic in tests.
"""

from __future__ import annotations

import base64
import random
import string
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from cobrador_desktop.domain.clock import Clock, SystemClock

WindowMode = Literal["sync", "async"]

WINDOW = timedelta(hours=24)
#: unique recipients reached outside the window per rolling 24 h, by messaging tier (§8)
TIER_LIMITS: dict[str, int | None] = {
    "TIER_50": 50, "TIER_250": 250, "TIER_2K": 2_000, "TIER_10K": 10_000,
    "TIER_100K": 100_000, "TIER_UNLIMITED": None, "TIER_NOT_SET": 250}

#: Meta's titles for the codes the emulator produces (the "(#code) title" of §7).
ERROR_TITLES: dict[int, str] = {
    2: "Service temporarily unavailable",
    33: "Unsupported post request. Object does not exist or cannot be loaded",
    100: "Invalid parameter",
    190: "Error validating access token",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131016: "Service unavailable",
    131021: "Recipient cannot be sender",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131049: "This message was not delivered to maintain healthy ecosystem engagement",
    131050: "Unable to deliver the message: the recipient stopped marketing messages",
    131051: "Unsupported message type",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131059: "Invalid pagination cursor",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132005: "Translated text too long",
    132012: "Parameter format does not match format in the created template",
    132015: "Template is Paused",
    132016: "Template is Disabled",
    133004: "Server temporarily unavailable",
}

#: The HTTP status Meta answers with, when it is not 400 (§7: the status does not classify).
ERROR_HTTP: dict[int, int] = {190: 401, 132001: 404, 131000: 500, 131016: 500, 133004: 503, 2: 503}


class GraphError(Exception):
    """An error the emulator answers in Meta's envelope."""

    def __init__(self, code: int, details: str, *, http_status: int | None = None,
                 subcode: int | None = None) -> None:
        super().__init__(f"({code}) {details}")
        self.code = code
        self.details = details
        self.http_status = http_status or ERROR_HTTP.get(code, 400)
        self.subcode = subcode

    def envelope(self, fbtrace_id: str) -> dict[str, Any]:
        """The §7 JSON body for this error."""
        error: dict[str, Any] = {
            "message": f"(#{self.code}) {ERROR_TITLES.get(self.code, 'Error')}",
            "type": "OAuthException",
            "code": self.code,
            "error_data": {"messaging_product": "whatsapp", "details": self.details},
            "fbtrace_id": fbtrace_id,
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return {"error": error}


def async_error(code: int, details: str) -> dict[str, Any]:
    """An `errors[]` item of a failed status (async errors carry no type or fbtrace_id)."""
    title = ERROR_TITLES.get(code, "Error")
    return {"code": code, "title": title, "message": title, "error_data": {"details": details},
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}


@dataclass
class EmulatorConfig:
    """How the emulator behaves; the control API changes most of it at run time."""

    access_token: str = "emulator-token"  # noqa: S105 - the emulator's own fake token
    phone_number_id: str = "1122334455667"
    waba_id: str = "102290129340398"
    display_phone_number: str = "5511999990000"
    verified_name: str = "Loja Exemplo"
    webhook_url: str | None = None
    app_secret: str | None = None
    clock: Clock = field(default_factory=SystemClock)
    seed: int = 0
    window_mode: WindowMode = "sync"
    throughput_per_second: int = 80
    #: Answer throughput hits as HTTP 429 + Retry-After instead of Meta's 400.
    throughput_http_429: bool = False
    pair_interval_seconds: float = 6.0
    pair_burst: int = 45
    #: Delays after acceptance of the sent, delivered and read statuses (clock seconds).
    status_delays: tuple[float, float, float] = (1.0, 3.0, 10.0)
    auto_read: bool = True
    #: simulated debtors answer templates (debtors.py); the demo turns this on
    simulated_debtors: bool = False
    #: how long a simulated debtor takes to answer, in seconds (min, max)
    reply_delay_seconds: tuple[float, float] = (20.0, 180.0)
    no_whatsapp: set[str] = field(default_factory=set)
    marketing_opt_out: set[str] = field(default_factory=set)
    #: Brazilian users registered before the 9th digit: their wa_id is the 12-digit form.
    old_br_users: set[str] = field(default_factory=set)
    webhook_timeout_seconds: float = 5.0
    redelivery_first_seconds: float = 10.0
    redelivery_max_seconds: float = 3600.0
    redelivery_horizon_seconds: float = 36 * 3600.0
    #: How long a "timeout" fault keeps the connection open without answering (real seconds).
    hang_seconds: float = 60.0
    #: Real seconds between checks for due webhooks.
    tick_seconds: float = 0.02
    expired_tokens: set[str] = field(default_factory=set)
    #: the number's messaging tier (`PUT /_emulator/phone` changes it)
    messaging_limit: str = "TIER_250"
    #: the async failure of a business-initiated send over the tier: Meta's code is not
    #: documented; 131049 ("not delivered to keep engagement healthy", try after 24 h) is the
    #: closest documented behaviour
    tier_error_code: int = 131049


def digits(value: str) -> str:
    """Only the digits of a phone number or wa_id."""
    return "".join(c for c in value if c.isdigit())


def twelve_digit(wa: str) -> str | None:
    """The pre-9th-digit form of a 13-digit Brazilian mobile, else None."""
    if wa.startswith("55") and len(wa) == 13 and wa[4] == "9":
        return wa[:4] + wa[5:]
    return None


@dataclass
class PhoneInfo:
    """What `GET /{phone-number-id}` reports (§2.7)."""

    display_phone_number: str
    verified_name: str
    quality_rating: str = "GREEN"
    messaging_limit: str = "TIER_250"
    throughput_level: str = "STANDARD"
    name_status: str = "APPROVED"

    def as_fields(self, phone_number_id: str) -> dict[str, Any]:
        return {
            "id": phone_number_id,
            "display_phone_number": self.display_phone_number,
            "verified_name": self.verified_name,
            "quality_rating": self.quality_rating,
            "whatsapp_business_manager_messaging_limit": self.messaging_limit,
            "throughput": {"level": self.throughput_level},
            "name_status": self.name_status,
        }


@dataclass
class SentMessage:
    """One message the emulator accepted (what `GET /_emulator/sent` lists)."""

    id: str
    to: str
    wa_id: str
    type: str
    payload: dict[str, Any]
    accepted_at: datetime
    biz_opaque_callback_data: str | None
    template_name: str | None = None
    #: The outcome the emulator decided: "delivering", or "failed:<code>".
    outcome: str = "delivering"

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "to": self.to, "wa_id": self.wa_id, "type": self.type,
                "accepted_at": self.accepted_at.isoformat(), "template": self.template_name,
                "biz_opaque_callback_data": self.biz_opaque_callback_data,
                "outcome": self.outcome, "payload": self.payload}


class EmulatorState:
    """Everything the emulator remembers between requests; `reset()` forgets it."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        cfg = self.config
        self.rng = random.Random(cfg.seed)
        self.sent: list[SentMessage] = []
        self.inbound_ids: set[str] = set()
        self.last_inbound: dict[str, datetime] = {}
        self.phone = PhoneInfo(cfg.display_phone_number, cfg.verified_name,
                               messaging_limit=cfg.messaging_limit)
        self._reached: dict[str, datetime] = {}  # business-initiated recipients, last 24 h
        self.throughput_per_second = cfg.throughput_per_second
        self.window_mode: WindowMode = cfg.window_mode
        self.no_whatsapp = {digits(n) for n in cfg.no_whatsapp}
        self.marketing_opt_out = {digits(n) for n in cfg.marketing_opt_out}
        self.old_br_users = {twelve_digit(digits(u)) or digits(u) for u in cfg.old_br_users}
        self.expired_tokens = set(cfg.expired_tokens)
        self._traffic: deque[datetime] = deque()
        self._pair: dict[str, tuple[float, datetime]] = {}
        self._counter = 0

    @property
    def now(self) -> datetime:
        return self.config.clock.now()

    # ---------------------------------------------------------------- ids
    def fbtrace_id(self) -> str:
        alphabet = string.ascii_letters + string.digits
        return "".join(self.rng.choice(alphabet) for _ in range(23))

    def new_wamid(self, wa_id: str) -> str:
        self._counter += 1
        raw = f"{wa_id}:{self._counter}:{self.rng.getrandbits(64):016X}".encode()
        return "wamid." + base64.b64encode(raw).decode("ascii")

    # ---------------------------------------------------------------- identity and window
    def wa_id_for(self, to: str) -> str:
        """The wa_id Meta answers for `to`: the 12-digit form for old Brazilian users (§5)."""
        wa = digits(to)
        old = twelve_digit(wa)
        if old is not None and old in self.old_br_users:
            return old
        return wa

    def listed(self, numbers: set[str], wa_id: str) -> bool:
        """Whether `wa_id` (in either 9th-digit form) is in a set of digit strings."""
        forms = {wa_id, twelve_digit(wa_id) or wa_id}
        if wa_id.startswith("55") and len(wa_id) == 12 and wa_id[4] in "6789":
            forms.add(wa_id[:4] + "9" + wa_id[4:])
        return bool(forms & numbers)

    def window_open(self, wa_id: str) -> bool:
        last = self.last_inbound.get(wa_id)
        return last is not None and self.now - last < WINDOW

    # ---------------------------------------------------------------- rates
    def throughput_full(self) -> bool:
        """True when the sliding 1 s window already holds the number's throughput (§8)."""
        now = self.now
        while self._traffic and now - self._traffic[0] >= timedelta(seconds=1):
            self._traffic.popleft()
        return len(self._traffic) >= self.throughput_per_second

    def count_traffic(self) -> None:
        self._traffic.append(self.now)

    def pair_allows(self, wa_id: str) -> bool:
        """Token bucket per recipient: one token per interval, bursts up to `pair_burst`."""
        tokens, _ = self._pair_tokens(wa_id)
        return tokens >= 1.0

    def take_pair(self, wa_id: str) -> None:
        tokens, now = self._pair_tokens(wa_id)
        self._pair[wa_id] = (tokens - 1.0, now)

    def _pair_tokens(self, wa_id: str) -> tuple[float, datetime]:
        now = self.now
        cfg = self.config
        tokens, last = self._pair.get(wa_id, (float(cfg.pair_burst), now))
        refill = (now - last).total_seconds() / cfg.pair_interval_seconds
        return min(float(cfg.pair_burst), tokens + refill), now

    def tier_allows(self, wa_id: str) -> bool:
        """Whether a business-initiated message may open a conversation with `wa_id` under the
        number's messaging tier (recipients already reached in the last 24 h do not count twice)."""
        now = self.now
        while self._reached:  # insertion order is time order: the oldest come first
            oldest, at = next(iter(self._reached.items()))
            if now - at < WINDOW:
                break
            del self._reached[oldest]
        if wa_id in self._reached:
            return True
        limit = TIER_LIMITS.get(self.phone.messaging_limit, TIER_LIMITS["TIER_NOT_SET"])
        return limit is None or len(self._reached) < limit

    def reach(self, wa_id: str) -> None:
        """Count `wa_id` against the tier (a delivered business-initiated message)."""
        self._reached.setdefault(wa_id, self.now)

    def per_recipient(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for message in self.sent:
            counts[message.wa_id] = counts.get(message.wa_id, 0) + 1
        return counts
