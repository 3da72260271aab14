"""Sample debts and payments: crediário instalments, school fees and one-off purchases.

Part of the demo data generator (`demo_data.py`). Payments always add up to `paid_cents`, a paid
debt is paid in full, and nothing is paid after the generator's `today`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from cobrador_desktop.services import demo_corpus as corpus

_METHODS = ("pix", "dinheiro", "cartao", "boleto")
_METHOD_WEIGHTS = (50, 25, 15, 10)
_CREDIARIO_SPLITS = (2, 3, 4, 5, 6, 8, 10, 12)
#: how a customer treats a purchase: pays on time, pays late and falls behind, or stopped paying
_BEHAVIOURS = ("good", "late", "stopped")
_BEHAVIOUR_WEIGHTS = (45, 35, 20)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, the day of month clamped to 28 (every month has it)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


class DebtFactory:
    """Makes a debtor's debts and payments, numbering rows across the whole data set."""

    def __init__(self, rng: corpus.DemoRandom, *, today: date, now: datetime,
                 operator_ids: list[int]) -> None:
        self.rng, self.today, self.now = rng, today, now
        self.operator_ids = operator_ids
        self.debt_id = 0
        self.payment_id = 0
        self.purchase = 0

    def for_debtor(self, debtor_id: int, count: int, debts_out: list[dict[str, Any]],
                   payments_out: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add exactly `count` debts (and their payments) for a debtor; return the debts."""
        rng = self.rng
        made: list[dict[str, Any]] = []
        remaining = count
        while remaining:
            self.purchase += 1
            roll = rng.random()
            if remaining >= 2 and roll < 0.7:
                group = self._crediario(debtor_id, rng.choice(
                    [n for n in _CREDIARIO_SPLITS if n <= remaining]))
            elif remaining >= 2 and roll < 0.85:
                group = self._school_fees(debtor_id, rng.randint(2, min(6, remaining)))
            else:
                group = [self._one_off(debtor_id)]
            self._settle(group, payments_out)
            made.extend(group)
            remaining -= len(group)
        debts_out.extend(made)
        return made

    # ------------------------------------------------------------------ kinds of debt

    def _debt(self, debtor_id: int, description: str, amount: int, due: date,
              created: datetime, external_id: str | None,
              installment: tuple[int, int] | None = None) -> dict[str, Any]:
        self.debt_id += 1
        return {
            "id": self.debt_id, "debtor_id": debtor_id, "external_id": external_id,
            "description": description, "amount_cents": amount, "paid_cents": 0,
            "due_date": due, "status": "open",
            "installment_number": installment[0] if installment else None,
            "installment_count": installment[1] if installment else None,
            "thanked_at": None, "created_at": created, "updated_at": created,
        }

    def _at_shop_hours(self, day: date) -> datetime:
        """An instant during the shop's opening hours (12:00-21:00 UTC = 9h-18h in Brasília)."""
        instant = datetime.combine(day, time(12, 0), UTC) + timedelta(
            minutes=self.rng.randint(0, 540))
        return min(instant, self.now - timedelta(minutes=self.rng.randint(5, 300)))

    def _crediario(self, debtor_id: int, n: int) -> list[dict[str, Any]]:
        rng = self.rng
        items, typical = rng.choice(corpus.CREDIARIO_ITEMS)
        # bought at most a month ago, so the first instalment is due by today + 30 days
        earliest = self.today - timedelta(days=240)
        latest = min(self.today + timedelta(days=30),
                     self.today + timedelta(days=180 - 30 * (n - 1)))
        first_due = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
        bought = self._at_shop_hours(min(first_due - timedelta(days=30), self.today))
        total = typical * rng.uniform(0.7, 1.3)
        amount = max(1500, int(total / n) * 100 + rng.choice((0, 0, 90, 50)))
        return [self._debt(debtor_id, f"Parcela {j}/{n} – Crediário ({items})", amount,
                           add_months(first_due, j - 1), bought,
                           f"CRD-{self.purchase:07d}-{j:02d}", (j, n))
                for j in range(1, n + 1)]

    def _school_fees(self, debtor_id: int, n: int) -> list[dict[str, Any]]:
        rng = self.rng
        start = add_months(self.today.replace(day=10), rng.randint(-8, 1))
        enrolled = self._at_shop_hours(min(start - timedelta(days=40), self.today))
        amount = rng.choice((450, 620, 780, 980)) * 100
        debts = []
        for k in range(n):
            due = add_months(start, k)
            debts.append(self._debt(
                debtor_id, f"Mensalidade escolar – {corpus.MONTHS_PT[due.month - 1]}/{due.year}",
                amount, due, enrolled, f"MEN-{self.purchase:07d}-{due:%Y%m}"))
        return debts

    def _one_off(self, debtor_id: int) -> dict[str, Any]:
        rng = self.rng
        description, typical = rng.choice(corpus.ONE_OFF_ITEMS)
        due = self.today + timedelta(days=rng.randint(-240, 30))
        bought_on = due - timedelta(days=rng.randint(0, 30))
        if bought_on > self.today:  # sold a while ago with a long term, like "30/60 dias"
            bought_on = self.today - timedelta(days=rng.randint(1, 20))
        bought = self._at_shop_hours(bought_on)
        amount = int(typical * rng.uniform(0.8, 1.2) * 10) * 10
        external = f"NF-{self.purchase:07d}" if rng.random() < 0.5 else None
        return self._debt(debtor_id, description, amount, due, bought, external)

    # ------------------------------------------------------------------ paying

    def _settle(self, group: list[dict[str, Any]], payments: list[dict[str, Any]]) -> None:
        """Decide each debt's status and payments from how this customer pays this purchase."""
        rng = self.rng
        behaviour = rng.pick(_BEHAVIOURS, _BEHAVIOUR_WEIGHTS)
        past = [d for d in group if d["due_date"] < self.today]
        if behaviour == "good":
            # pays everything due, except perhaps the instalment that just fell due
            paid_through = len(past) - (1 if past and rng.random() < 0.35 else 0)
            delay = (-5, 5)
        elif behaviour == "late":
            paid_through = rng.randint(0, max(0, len(past) - 1))
            delay = (3, 40)
        else:
            paid_through = min(len(past), rng.choice((0, 0, 1)))
            delay = (10, 60)
        returned = rng.random() < 0.03  # goods given back: what is still owed is cancelled
        for index, debt in enumerate(group):
            due, amount = debt["due_date"], debt["amount_cents"]
            if index < paid_through or (due >= self.today and rng.random() < 0.04):
                self._pay(debt, amount, delay, payments, split=rng.random() < 0.2)
                debt["status"] = "paid"
            elif returned:
                debt["status"] = "cancelled"
            elif rng.random() < 0.025:
                debt["status"] = "disputed"
                if rng.random() < 0.3:
                    self._pay(debt, self._part(amount), delay, payments)
            elif due < self.today and index == paid_through and rng.random() < 0.3:
                self._pay(debt, self._part(amount), delay, payments)

    def _part(self, amount: int) -> int:
        """A partial payment: a round-ish share of the amount, never all of it."""
        part = amount * self.rng.randint(20, 70) // 100 // 100 * 100
        return part if 0 < part < amount else amount // 2 or 1

    def _pay(self, debt: dict[str, Any], cents: int, delay: tuple[int, int],
             payments: list[dict[str, Any]], *, split: bool = False) -> None:
        rng = self.rng
        bought = debt["created_at"].date()
        on = debt["due_date"] + timedelta(days=rng.randint(*delay))
        on = max(bought, min(on, self.today))
        amounts = [cents]
        if split and cents >= 200:
            first = self._part(cents)
            amounts = [first, cents - first]
        for share in amounts:
            self.payment_id += 1
            created = self._at_shop_hours(on)
            payments.append({
                "id": self.payment_id, "debt_id": debt["id"], "amount_cents": share,
                "paid_on": on, "method": rng.pick(_METHODS, _METHOD_WEIGHTS),
                "recorded_by": rng.choice(self.operator_ids),
                "note": "Pagou no balcão" if rng.random() < 0.05 else None,
                "created_at": created,
            })
            debt["paid_cents"] += share
            debt["updated_at"] = max(debt["updated_at"], created)
            on = min(on + timedelta(days=rng.randint(5, 25)), self.today)
