"""What Meta says about the shop's WhatsApp account, kept in the database: the message templates
(name, status, category, quality, body) and the number's quality rating and messaging tier.

The send guard reads both (a paused or rejected template is never sent; bulk sends stop when the
number's quality drops; WHATSAPP_CLOUD_API.md §2.6–§2.7), and the régua renders its messages from
the templates' bodies. Webhooks keep them current between syncs (`storage.repos.ingest`); this
sync runs when the number is connected and once a day, so a missed webhook heals by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.settings import NUMBER_QUALITY, QUALITY_RATINGS, TIERS, NumberQuality
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos.settings import read_json_setting, write_number_quality
from cobrador_desktop.storage.repos.templates import (
    TemplateState,
    TemplateSyncResult,
    sync_templates,
)

log = logging.getLogger("cobrador.account")


class PhoneHealth(Protocol):
    @property
    def quality_rating(self) -> str | None: ...
    @property
    def messaging_limit_tier(self) -> str | None: ...


class AccountApi(Protocol):
    """The two reads of the Cloud API client this sync needs."""

    async def list_templates(self) -> list[dict[str, Any]]: ...

    async def phone_info(self) -> PhoneHealth: ...


@dataclass(frozen=True)
class AccountSyncResult:
    templates: TemplateSyncResult
    quality: NumberQuality


def template_state(raw: Mapping[str, Any]) -> TemplateState | None:
    """A template as the Cloud API lists it, or None when it has no name."""
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        return None
    quality = raw.get("quality_score")
    score = quality.get("score") if isinstance(quality, Mapping) else None
    components = raw.get("components")
    reason = raw.get("rejected_reason")
    return TemplateState(
        name=name, language=str(raw.get("language") or "pt_BR"),
        category=str(raw.get("category") or "UTILITY").upper(),
        status=str(raw.get("status") or "PENDING").upper(),
        quality=str(score).upper() if score else None,
        parameter_format=str(raw.get("parameter_format") or "POSITIONAL").upper(),
        components=[c for c in components if isinstance(c, dict)]
        if isinstance(components, list) else [],
        meta_id=str(raw["id"]) if raw.get("id") is not None else None,
        rejected_reason=str(reason)[:200] if reason and reason != "NONE" else None)


def number_quality(rating: str | None, tier: str | None) -> NumberQuality:
    """The number's health as the guard reads it: a rating Meta has not given yet (`NA`, a new
    number) is `UNKNOWN`; a tier this version does not know (`TIER_NOT_SET`) is None."""
    rating = (rating or "UNKNOWN").strip().upper()
    tier = tier.strip().upper() if tier else None
    return NumberQuality(quality=rating if rating in QUALITY_RATINGS else "UNKNOWN",
                         tier=tier if tier in TIERS else None)


class AccountSync:
    """Reads the account from the Cloud API and stores what changed."""

    def __init__(self, db: Runner, api: AccountApi, clock: Clock) -> None:
        self._db = db
        self._api = api
        self._clock = clock

    async def run(self) -> AccountSyncResult:
        """Sync the templates and the number's health (raises the client's errors)."""
        raw = await self._api.list_templates()
        info = await self._api.phone_info()
        states = [s for s in (template_state(t) for t in raw) if s is not None]
        quality = number_quality(info.quality_rating, info.messaging_limit_tier)
        now = self._clock.now()

        def store(session: Any) -> TemplateSyncResult:
            result = sync_templates(session, states, now=now)
            if read_json_setting(session, NUMBER_QUALITY) != quality:
                write_number_quality(session, quality, operator_id=None, now=now)
            return result

        result = await self._db.run(store)
        log.info("account synced: %d templates new, %d changed, %d gone; number quality %s, %s",
                 result.added, result.changed, len(result.gone), quality.quality, quality.tier)
        return AccountSyncResult(result, quality)
