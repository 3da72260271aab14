"""The `templates` table: what Meta says about the shop's message templates (synced), read by the
send guard and the régua."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.storage.orm import Template


@dataclass(frozen=True)
class TemplateState:
    """One template translation as Meta lists it."""

    name: str
    language: str
    category: str
    status: str
    quality: str | None
    parameter_format: str
    components: list[dict[str, Any]]
    meta_id: str | None
    rejected_reason: str | None


@dataclass(frozen=True)
class TemplateSyncResult:
    """What a sync changed: new rows, changed rows, and rows Meta no longer lists."""

    added: int
    changed: int
    gone: tuple[str, ...]


_COMPARED = ("category", "status", "quality", "parameter_format", "components", "meta_id",
             "rejected_reason")


def sync_templates(session: Session, states: Sequence[TemplateState], *,
                   now: datetime) -> TemplateSyncResult:
    """Make the table say what Meta says. A template Meta no longer lists is kept (messages name
    it) with status `DELETED`, so nothing can choose it; our own `purpose` is never touched."""
    rows = {(t.name, t.language): t for t in session.scalars(select(Template))}
    added = changed = 0
    listed = set()
    for state in states:
        key = (state.name, state.language)
        listed.add(key)
        values = {"category": state.category, "status": state.status, "quality": state.quality,
                  "parameter_format": state.parameter_format, "components": state.components,
                  "meta_id": state.meta_id, "rejected_reason": state.rejected_reason}
        row = rows.get(key)
        if row is None:
            session.add(Template(name=state.name, language=state.language, synced_at=now,
                                 **values))
            added += 1
            continue
        if any(getattr(row, column) != values[column] for column in _COMPARED):
            for column, value in values.items():
                setattr(row, column, value)
            changed += 1
        row.synced_at = now
    gone = []
    for key, row in rows.items():
        if key not in listed and row.status != "DELETED":
            row.status = "DELETED"
            row.synced_at = now
            gone.append(f"{row.name} ({row.language})")
    session.flush()
    return TemplateSyncResult(added, changed, tuple(sorted(gone)))


def template_names(session: Session) -> list[str]:
    """The names in the `templates` table (synced from Meta or seeded), sorted, each once."""
    return list(session.scalars(select(Template.name).distinct().order_by(Template.name)))


class TemplateRow(NamedTuple):
    name: str
    language: str
    components: list[Any]


def templates_named(session: Session, names: Iterable[str]) -> dict[str, TemplateRow]:
    """The stored templates by name (the pt_BR translation when there are several)."""
    found: dict[str, TemplateRow] = {}
    query = select(Template.name, Template.language, Template.components).where(
        Template.name.in_(sorted(set(names)))).order_by(Template.name, Template.language)
    for name, language, components in session.execute(query):
        if name not in found or language == "pt_BR":
            found[name] = TemplateRow(name, language, list(components or []))
    return found


@dataclass(frozen=True)
class TemplateListRow:
    """One template as the Modelos screen lists it."""

    name: str
    language: str
    category: str
    status: str
    quality: str | None
    purpose: str | None
    rejected_reason: str | None
    components: list[dict[str, Any]]
    synced_at: datetime | None


def list_templates(session: Session) -> list[TemplateListRow]:
    """Every stored template (deleted ones included: the screen says so), by name."""
    return [TemplateListRow(t.name, t.language, t.category, t.status, t.quality, t.purpose,
                            t.rejected_reason, [c for c in t.components or [] if isinstance(c, dict)],
                            t.synced_at)
            for t in session.scalars(select(Template).order_by(Template.name, Template.language))]


def store_submitted(session: Session, state: TemplateState, *, purpose: str,
                    now: datetime) -> None:
    """Keep a template just submitted to Meta (usually `PENDING`) with our purpose, replacing a
    stored row of the same name and language."""
    row = session.scalars(select(Template).where(Template.name == state.name,
                                                 Template.language == state.language)).first()
    if row is None:
        row = Template(name=state.name, language=state.language)
        session.add(row)
    row.category, row.status, row.quality = state.category, state.status, state.quality
    row.parameter_format, row.components = state.parameter_format, state.components
    row.meta_id, row.rejected_reason = state.meta_id, state.rejected_reason
    row.purpose, row.synced_at = purpose, now
    session.flush()


def fill_purposes(session: Session, purposes: Mapping[str, str]) -> int:
    """Give templates named in `purposes` that have none their purpose; returns how many."""
    rows = session.scalars(select(Template).where(Template.name.in_(sorted(purposes)),
                                                  Template.purpose.is_(None))).all()
    for row in rows:
        row.purpose = purposes[row.name]
    session.flush()
    return len(rows)
