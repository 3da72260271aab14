"""The shop's régua in the `regua_steps` table: read it, replace it (audited).

A shop that never saved a régua gets `domain.regua.DEFAULT_REGUA`; once saved (even with every
step inactive, to switch reminders off) the saved one holds. Every PC on the database shares it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.regua import DEFAULT_REGUA, Regua, Step
from cobrador_desktop.storage.orm import ReguaStep
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos.bulk import dataset_marker, mark_dataset

#: the settings row that says the owner saved a régua (so an empty table is not "the default")
SAVED_MARKER = "regua.saved"
CHANGE_ACTION = "regua.change"


def load_regua(session: Session) -> Regua:
    """The saved régua, or the default one when none was ever saved."""
    if dataset_marker(session, SAVED_MARKER) is None:
        return DEFAULT_REGUA
    rows = session.scalars(select(ReguaStep).order_by(ReguaStep.position, ReguaStep.id)).all()
    return Regua(tuple(
        Step(offset_days=r.offset_days, purpose=r.purpose, template=r.template, segment=r.segment,
             repeat_every_days=r.repeat_every_days, repeat_until_days=r.repeat_until_days,
             grace_days=r.grace_days, active=r.active) for r in rows))


def save_regua(session: Session, regua: Regua, *, operator_id: int | None, now: datetime) -> None:
    """Replace the régua with `regua` (checked first) and audit the change.

    Raises:
        ReguaInvalid: a step is wrong or two steps send the same day; nothing changes.
    """
    regua.check()
    before = load_regua(session)
    session.execute(delete(ReguaStep))
    session.add_all(ReguaStep(
        position=position, offset_days=s.offset_days, purpose=s.purpose, template=s.template,
        segment=s.segment, repeat_every_days=s.repeat_every_days,
        repeat_until_days=s.repeat_until_days, grace_days=s.grace_days, active=s.active,
        updated_at=now) for position, s in enumerate(regua.steps))
    mark_dataset(session, SAVED_MARKER, {"steps": len(regua.steps)}, now)
    session.flush()
    audit.append(session, action=CHANGE_ACTION, operator_id=operator_id, object_type="regua",
                 object_id=None, now=now, details={
                     "from": [_describe(s) for s in before.steps],
                     "to": [_describe(s) for s in regua.steps]})


def _describe(step: Step) -> str:
    """One line per step for the audit trail: `D+15 a cada 15 até D+90 overdue modelo (*)`."""
    repeat = (f" a cada {step.repeat_every_days} até D+{step.repeat_until_days}"
              if step.repeat_every_days else "")
    state = "" if step.active else " inativa"
    return f"{step.code}{repeat} {step.purpose} {step.template} ({step.segment}){state}"
