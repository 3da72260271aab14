"""Fault injection: rules that pick Graph requests by path, recipient, template or nth call.

Kinds (`PUT /_emulator/faults` body `{"rules": [{"kind": ..., ...}]}`):
- `http_500` (131000), `http_503` (133004), `http_502_html`, `http_429` (130429 with HTTP 429 and
  `Retry-After`, Meta's throughput answer): an error instead of processing;
- `timeout_before`: hold the connection, process nothing (safe to retry);
- `timeout_after`: process (the message is accepted, webhooks flow), then hold the connection:
  the client's `unknown` case;
- `reset_before` / `reset_after`: drop the connection before / after processing;
- `latency`: wait `latency_ms` (+ up to `jitter_ms`) of real time, then go on.

`probability` (0–1) makes a rule fire on only that share of its matching calls, drawn from the
emulator's seeded generator: "10 % of calls fail" for the fault tests.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

FaultKind = Literal["http_500", "http_503", "http_502_html", "http_429", "timeout_before",
                    "timeout_after", "reset_before", "reset_after", "latency"]
KINDS: frozenset[str] = frozenset(get_args(FaultKind))
AFTER_KINDS = frozenset({"timeout_after", "reset_after"})


@dataclass
class FaultRule:
    """One fault; it fires on every matching call, or only the `nth`, at most `times` times."""

    kind: FaultKind
    path: str | None = None
    method: str | None = None
    recipient: str | None = None
    template: str | None = None
    nth: int | None = None
    times: int | None = None
    latency_ms: int = 0
    jitter_ms: int = 0
    #: fire on this share of the matching calls only (None: on every one)
    probability: float | None = None
    seen: int = 0
    fired: int = 0

    @classmethod
    def from_json(cls, raw: Any) -> FaultRule:
        if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
            raise ValueError(f"fault kind must be one of {sorted(KINDS)}")

        def opt_str(key: str) -> str | None:
            value = raw.get(key)
            return None if value is None else str(value)

        def opt_int(key: str) -> int | None:
            value = raw.get(key)
            return None if value is None else int(value)

        probability = raw.get("probability")
        if probability is not None:
            probability = float(probability)
            if not 0.0 <= probability <= 1.0:
                raise ValueError("probability must be between 0 and 1")
        return cls(kind=cast(FaultKind, raw["kind"]), path=opt_str("path"),
                   method=opt_str("method"), recipient=opt_str("recipient"),
                   template=opt_str("template"), nth=opt_int("nth"), times=opt_int("times"),
                   latency_ms=int(raw.get("latency_ms", 0)), jitter_ms=int(raw.get("jitter_ms", 0)),
                   probability=probability)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "method": self.method,
                "recipient": self.recipient, "template": self.template, "nth": self.nth,
                "times": self.times, "latency_ms": self.latency_ms, "jitter_ms": self.jitter_ms,
                "probability": self.probability, "seen": self.seen, "fired": self.fired}

    def _matches(self, method: str, path: str, recipient: str | None, template: str | None) -> bool:
        if self.path is not None and self.path not in path:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.recipient is not None and (recipient is None or self.recipient not in recipient):
            return False
        return self.template is None or self.template == template

    def eligible(self, method: str, path: str, recipient: str | None, template: str | None) -> bool:
        """Count this call if it matches; True when the fault may fire on it."""
        if not self._matches(method, path, recipient, template):
            return False
        self.seen += 1
        if self.nth is not None and self.seen != self.nth:
            return False
        return self.times is None or self.fired < self.times


@dataclass
class Faults:
    """The active rules, in order; the first non-latency rule that fires wins."""

    rules: list[FaultRule] = field(default_factory=list)

    def replace(self, raw_rules: Any) -> None:
        if not isinstance(raw_rules, list):
            raise ValueError("rules must be a list")
        self.rules = [FaultRule.from_json(r) for r in raw_rules]

    def pick(self, method: str, path: str, recipient: str | None, template: str | None,
             rng: random.Random) -> tuple[float, FaultRule | None]:
        """Seconds of latency to add, and the fault to apply (or None)."""
        delay = 0.0
        chosen: FaultRule | None = None
        for rule in self.rules:
            # Every matching rule counts the call, so `nth` means the nth matching call overall.
            if not rule.eligible(method, path, recipient, template):
                continue
            if rule.probability is not None and rng.random() >= rule.probability:
                continue
            if rule.kind == "latency":
                rule.fired += 1
                delay += (rule.latency_ms + rng.uniform(0, rule.jitter_ms)) / 1000
            elif chosen is None:
                rule.fired += 1
                chosen = rule
        return delay, chosen
