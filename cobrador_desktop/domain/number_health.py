"""The WhatsApp number's health (Resultados › Saúde do número): what Meta says about the number
and the templates, and why messages failed lately.

- *quality* and *tier*: the setting `NUMBER_QUALITY`, written by the account sync (at connection
  and once a day) when Meta's answer changes; `changed_at` is when that row was last written,
  `synced_at` the last time the account sync listed the templates (`templates.synced_at`).
  Template webhooks keep the templates current between syncs, and `phone_number_quality_update`
  the tier (`storage.repos.ingest`); the rating itself is not pushed by Meta
  (WHATSAPP_CLOUD_API.md §2.7, §4.7): the daily sync reads it.
- *templates*: every template the account has (deleted ones left out), problems first: a
  template whose status is one of `PROBLEM_STATUSES` cannot be sent.
- *failures*: outbound messages with status `failed` whose last change (`status_at`, else their
  creation) lies in the last `FAILURE_DAYS` days, grouped by Meta's error code (None: no code,
  e.g. the send rules stopped it), most frequent first; `reason` and `hint` are the pt-BR source
  texts of `whatsapp.errors` (context `CloudApi`) with `{code}` / `{details}` to fill.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.results import Light
from cobrador_desktop.domain.settings import NumberQuality

FAILURE_DAYS = 30
#: statuses Meta will not send a template in and the owner should act on (highlighted)
PROBLEM_STATUSES = ("REJECTED", "PAUSED", "DISABLED")
#: the order templates are listed in: problems, then waiting, then fine
_STATUS_ORDER = {s: i for i, s in enumerate(
    (*PROBLEM_STATUSES, "LIMIT_EXCEEDED", "IN_APPEAL", "PENDING", "PENDING_DELETION", "APPROVED",
     "ARCHIVED"))}
#: the reason of failures without a code from Meta
NO_CODE_REASON = QT_TRANSLATE_NOOP(
    "NumberHealth", "Não enviada, sem código da Meta (regras de envio ou falta de conexão).")
NO_CODE_HINT = QT_TRANSLATE_NOOP(
    "NumberHealth", "O motivo de cada uma aparece na conversa, no Atendimento.")


def quality_light(rating: str | None) -> Light | None:
    """GREEN, YELLOW, RED as the lights; None when Meta has not rated the number."""
    return {"GREEN": Light.GREEN, "YELLOW": Light.AMBER,
            "RED": Light.RED}.get((rating or "").upper())


@dataclass(frozen=True, slots=True)
class TemplateHealth:
    name: str
    language: str
    category: str
    status: str
    #: Meta's quality score (GREEN/YELLOW/RED/UNKNOWN), None when not rated
    quality: str | None
    rejected_reason: str | None

    @property
    def problem(self) -> bool:
        return self.status.upper() in PROBLEM_STATUSES


def ordered_templates(rows: Iterable[TemplateHealth]) -> tuple[TemplateHealth, ...]:
    """Problems first, then by status and name."""
    return tuple(sorted(rows, key=lambda t: (_STATUS_ORDER.get(t.status.upper(), 99), t.name,
                                             t.language)))


@dataclass(frozen=True, slots=True)
class FailureReason:
    """Failed messages of one error code."""

    code: int | None
    count: int
    last_at: datetime
    #: the latest failure's detail as stored (Meta's `error_data.details` or the program's reason)
    detail: str | None
    #: pt-BR source texts (context `reason_context`) saying what happened and what to do
    reason: str = ""
    hint: str = ""
    reason_context: str = "CloudApi"


@dataclass(frozen=True, slots=True)
class NumberHealth:
    """The number's health at `now`."""

    now: datetime
    quality: NumberQuality
    changed_at: datetime | None
    synced_at: datetime | None
    templates: tuple[TemplateHealth, ...]
    #: failures since `failures_since`, most frequent first
    failures: tuple[FailureReason, ...]
    failures_since: datetime

    @property
    def light(self) -> Light | None:
        return quality_light(self.quality.quality)

    @property
    def template_problems(self) -> int:
        return sum(t.problem for t in self.templates)

    @property
    def failed(self) -> int:
        return sum(f.count for f in self.failures)
