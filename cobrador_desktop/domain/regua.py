"""The reminder schedule (régua de cobrança): which step of which debt is due on a day.

Pure rules. A `Regua` is a list of `Step`s relative to the due date: `D-3` (three days before),
`D0` (the day), `D+7` (a week late), and a step may repeat every k days up to a limit (`D+15`,
then every 15 days up to `D+90`: `D+15`, `D+30` … `D+90`). Each concrete occurrence has a
**code** (`D+30`); a (debt, code) pair goes out once, ever (the storage keeps a unique row per
pair and the send guard checks it again: FREQ_STEP_ALREADY_SENT).

Which steps apply to a debt: an agreement's own instalments (`is_agreement`) follow only the
steps of segment `acordo`; every other open debt follows the steps of segment `*` plus those of
its debtor's payment-history segment (`domain.records.Segment`).

Catch-up (the PC was off, the scheduler did not run): an occurrence is still sent within its
`grace_days` after its day; one whose grace passed is **skipped** (logged, never sent late in a
burst). On a given day a debt gets at most one step: the most recent one still within grace
(an older one still in grace is skipped, since the newer step supersedes it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from cobrador_desktop.domain.errors import InvalidInput
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP

#: the segment of every ordinary debt, and the segment of agreement instalments
ALL, AGREEMENT = "*", "acordo"
#: purposes a régua step may have (COMPLIANCE.md §2.1); identity checks are chosen by the
#: scheduler, never configured as a step
REMINDER, OVERDUE, AGREEMENT_INSTALLMENT = "reminder", "overdue", "agreement_installment"
STEP_PURPOSES = (REMINDER, OVERDUE, AGREEMENT_INSTALLMENT)
IDENTITY_CHECK = "identity_check"
IDENTITY_TEMPLATE = "confirmacao_identidade_v1"
#: how far before or after the due date a step may sit, in days
MIN_OFFSET, MAX_OFFSET = -30, 365
#: the most occurrences one repeating step may have (keeps a typo from planning thousands)
MAX_OCCURRENCES = 60
#: skip reasons the scheduler records (not send-guard codes: nothing was evaluated)
GRACE_PASSED, SUPERSEDED = "STEP_GRACE_PASSED", "STEP_SUPERSEDED"
#: …and the scheduler's other skips: no own number; identity never confirmed after every
#: attempt; the next identity attempt not due yet (not logged); the team's daily capacity of new
#: conversations used up (not logged: tried again tomorrow)
NO_PHONE, CPC_ATTEMPTS_EXHAUSTED = "NO_PHONE", "CPC_ATTEMPTS_EXHAUSTED"
CPC_RETRY_WAIT, CAPACITY_FULL = "CPC_RETRY_WAIT", "CAPACITY_FULL"
#: the debtor's previous régua message still waits in the outbox (not logged: tried next day)
PREVIOUS_WAITING = "PREVIOUS_WAITING"
#: the pt-BR text of each skip (Qt context "SendGuard", like the guard's reasons)
SKIP_MESSAGES: dict[str, str] = {
    GRACE_PASSED: QT_TRANSLATE_NOOP(
        "SendGuard", "A etapa {etapa} era para {data} e a tolerância passou (o programa estava "
        "fechado): ela não será enviada."),
    SUPERSEDED: QT_TRANSLATE_NOOP(
        "SendGuard", "A etapa {etapa} deu lugar a uma etapa mais recente da mesma parcela."),
    NO_PHONE: QT_TRANSLATE_NOOP(
        "SendGuard", "O devedor não tem telefone próprio cadastrado. Cadastre um número para a "
        "régua alcançá-lo."),
    CPC_ATTEMPTS_EXHAUSTED: QT_TRANSLATE_NOOP(
        "SendGuard", "A identidade não foi confirmada depois de {n} tentativa(s): o devedor fica "
        "“sem contato” para um atendente, e nenhum detalhe da dívida é enviado."),
    CPC_RETRY_WAIT: QT_TRANSLATE_NOOP(
        "SendGuard", "A última confirmação de identidade foi em {data}; a próxima tentativa sai "
        "a partir de {proximo}."),
    PREVIOUS_WAITING: QT_TRANSLATE_NOOP(
        "SendGuard", "A mensagem anterior da régua para este devedor ainda espera na fila (horário "
        "ou limite): esta etapa fica para depois."),
    CAPACITY_FULL: QT_TRANSLATE_NOOP(
        "SendGuard", "A equipe já tem {limite} conversas novas para hoje (capacidade diária): "
        "esta mensagem fica para amanhã."),
}


class ReguaInvalid(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "A régua não foi salva: {problem}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Corrija a etapa indicada e salve de novo; a régua anterior continua valendo.")


def step_code(offset_days: int) -> str:
    """`D-3`, `D0`, `D+7`: how a day relative to the due date is written."""
    if offset_days == 0:
        return "D0"
    return f"D{offset_days:+d}"


@dataclass(frozen=True)
class Step:
    """One step: a message `offset_days` from the due date, maybe repeating.

    Attributes:
        offset_days: days from the due date (negative: before it).
        purpose: `reminder` (before or on the due date), `overdue` (after it) or
            `agreement_installment` (an agreement's instalment; segment `acordo`).
        template: the name of the approved template it sends.
        segment: `*` (every debtor), a payment-history segment, or `acordo`.
        repeat_every_days: after the first occurrence, again every this many days…
        repeat_until_days: …while the offset is at most this (both or neither).
        grace_days: how many days late the step may still go out after the PC was off.
        active: an inactive step is kept but never planned.
    """

    offset_days: int
    purpose: str
    template: str
    segment: str = ALL
    repeat_every_days: int | None = None
    repeat_until_days: int | None = None
    grace_days: int = 2
    active: bool = True

    @property
    def code(self) -> str:
        """The code of its first occurrence."""
        return step_code(self.offset_days)

    def offsets(self) -> tuple[int, ...]:
        """The offsets of every occurrence, first one first."""
        if self.repeat_every_days is None or self.repeat_until_days is None:
            return (self.offset_days,)
        return tuple(range(self.offset_days, self.repeat_until_days + 1,
                           self.repeat_every_days))[:MAX_OCCURRENCES]

    def applies_to(self, segment: str, *, is_agreement: bool) -> bool:
        """Whether this step is for a debt of a debtor in `segment`."""
        if not self.active:
            return False
        if is_agreement:
            return self.segment == AGREEMENT
        return self.segment in (ALL, segment)

    def problems(self) -> list[str]:
        """What is wrong with the step, in pt-BR (empty when it is fine)."""
        found: list[str] = []
        if not MIN_OFFSET <= self.offset_days <= MAX_OFFSET:
            found.append(f"o dia {self.offset_days} fica fora de D{MIN_OFFSET} a D+{MAX_OFFSET}")
        if self.purpose not in STEP_PURPOSES:
            found.append(f"a finalidade “{self.purpose}” não existe")
        if self.purpose == REMINDER and self.offset_days > 0:
            found.append("um lembrete vai antes do vencimento ou no dia (use “em atraso”)")
        if self.purpose == OVERDUE and self.offset_days <= 0:
            found.append("uma mensagem de atraso só vai depois do vencimento")
        if (self.purpose == AGREEMENT_INSTALLMENT) != (self.segment == AGREEMENT):
            found.append("parcelas de acordo usam o grupo “acordo”, e só elas")
        if not self.template.strip():
            found.append("falta o modelo de mensagem")
        if (self.repeat_every_days is None) != (self.repeat_until_days is None):
            found.append("para repetir, informe de quantos em quantos dias e até quando")
        elif self.repeat_every_days is not None and self.repeat_until_days is not None:
            if self.repeat_every_days < 1:
                found.append("a repetição precisa de pelo menos 1 dia entre envios")
            if not self.offset_days < self.repeat_until_days <= MAX_OFFSET:
                found.append(f"a repetição termina depois do primeiro envio e até D+{MAX_OFFSET}")
        if self.grace_days < 0:
            found.append("a tolerância não pode ser negativa")
        return found


@dataclass(frozen=True)
class Occurrence:
    """A concrete occurrence of a step for one debt."""

    step: Step
    code: str
    day: date


@dataclass(frozen=True)
class DayPlan:
    """What a debt gets on a day: at most one occurrence to send, and those skipped."""

    send: Occurrence | None
    skipped: tuple[tuple[Occurrence, str], ...] = ()


@dataclass(frozen=True)
class Regua:
    """The shop's steps, in the order the owner sees them."""

    steps: tuple[Step, ...]

    def check(self) -> Regua:
        """The régua itself when every step is fine and no two occurrences share a code.

        Raises:
            ReguaInvalid: the first problem found, naming the step.
        """
        seen: dict[tuple[str, str], int] = {}
        for number, step in enumerate(self.steps, start=1):
            problems = step.problems()
            if problems:
                raise ReguaInvalid(problem=f"etapa {number} ({step.code}): {problems[0]}")
            for offset in step.offsets():
                key = (step.segment, step_code(offset))
                if key in seen:
                    raise ReguaInvalid(problem=(
                        f"etapa {number} repete {step_code(offset)}, que a etapa {seen[key]} "
                        "já envia"))
                seen[key] = number
        return self

    def occurrences(self, due: date, segment: str, *, is_agreement: bool) -> Iterator[Occurrence]:
        """Every occurrence for a debt due on `due`, in no particular order."""
        for step in self.steps:
            if step.applies_to(segment, is_agreement=is_agreement):
                for offset in step.offsets():
                    yield Occurrence(step, step_code(offset), due + timedelta(days=offset))

    def plan_day(self, due: date, segment: str, today: date, *, is_agreement: bool,
                 done: Iterable[str] = (), since: date | None = None) -> DayPlan:
        """What to send `today` for a debt due on `due`, and what to log as skipped.

        Args:
            done: codes already recorded for this debt (sent, blocked or skipped).
            since: the last day the scheduler ran before today; occurrences after it whose
                grace passed are skipped (logged). None: only today's window is considered.
        """
        done = set(done)
        in_grace: list[Occurrence] = []
        skipped: list[tuple[Occurrence, str]] = []
        for occ in self.occurrences(due, segment, is_agreement=is_agreement):
            if occ.code in done or occ.day > today:
                continue
            if occ.day >= today - timedelta(days=occ.step.grace_days):
                in_grace.append(occ)
            elif since is not None and occ.day > since:
                skipped.append((occ, GRACE_PASSED))
        in_grace.sort(key=lambda o: o.day)
        send = in_grace[-1] if in_grace else None
        skipped.extend((occ, SUPERSEDED) for occ in in_grace[:-1])
        skipped.sort(key=lambda pair: pair[0].day)
        return DayPlan(send, tuple(skipped))

    def due_window(self, today: date) -> tuple[date, date] | None:
        """The due dates that can have an occurrence to send or skip `today`: (first, last).

        The scheduler selects open debts with a due date in this range (one indexed range scan
        instead of reading every debt). None when no step is active.
        """
        lows: list[int] = []
        highs: list[int] = []
        for step in self.steps:
            if step.active:
                offsets = step.offsets()
                lows.append(min(offsets))
                highs.append(max(offsets) + step.grace_days)
        if not lows:
            return None
        return today - timedelta(days=max(highs)), today - timedelta(days=min(lows))


#: the régua a new shop starts with: the market's usual D-3, D0, D+1, D+7, then every 15 days up to
#: D+90; agreement instalments two days before and one day after (WHATSAPP_CLOUD_API.md §10.3's
#: templates, the ones the demo and the emulator know)
DEFAULT_REGUA = Regua((
    Step(-3, REMINDER, "lembrete_vencimento_v1"),
    Step(0, REMINDER, "vencimento_hoje_v1"),
    Step(1, OVERDUE, "parcela_em_atraso_v1"),
    Step(7, OVERDUE, "parcela_em_atraso_v1"),
    Step(15, OVERDUE, "parcela_em_atraso_v1", repeat_every_days=15, repeat_until_days=90),
    Step(-2, AGREEMENT_INSTALLMENT, "lembrete_acordo_v1", segment=AGREEMENT),
    Step(1, AGREEMENT_INSTALLMENT, "lembrete_acordo_v1", segment=AGREEMENT),
))
