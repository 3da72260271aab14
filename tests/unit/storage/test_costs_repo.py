"""Costs on SQLite and PostgreSQL: a month of messages priced by hand, message by message, and
the grouped query's total matching it; prices that change inside a span; payments of a span."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from cobrador_desktop.domain.pricing import SHIPPED, Category, check_table, dump_table
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Message, MessageEvent, Payment, Template
from cobrador_desktop.storage.repos import costs
from cobrador_desktop.storage.repos.costs import TemplateSpend
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

#: June 2026 in São Paulo (UTC-3), as instants
JUNE = (datetime(2026, 6, 1, 3, 0, tzinfo=UTC), datetime(2026, 7, 1, 3, 0, tzinfo=UTC))
DAY = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


class Chat:
    """One debtor's conversation, to write messages in."""

    def __init__(self, session: Session, name: str, e164: str) -> None:
        debtor = add_debtor(session, name)
        conversation = Conversation(phone_id=add_phone(session, debtor, e164), debtor_id=debtor)
        session.add(conversation)
        session.flush()
        self.session, self.id, self.debtor, self.n = session, conversation.id, debtor, 0

    def out(self, at: datetime, template: str | None, status: str = "delivered",
            pricing: tuple[str, str] | None = None) -> None:
        self.n += 1
        wamid = f"wamid.{self.id}.{self.n}"
        self.session.add(Message(conversation_id=self.id, wamid=wamid, direction="out",
                                 type="template" if template else "text", template_name=template,
                                 status=status, created_at=at))
        if pricing is not None:
            self.session.add(MessageEvent(wamid=wamid, status="delivered", at=at,
                                          pricing_category=pricing[0], pricing_type=pricing[1]))
        self.session.flush()

    def inbound(self, at: datetime) -> None:
        self.session.add(Message(conversation_id=self.id, direction="in", text="oi",
                                 status="received", created_at=at))
        self.session.flush()


def _june(session: Session) -> None:
    """Ten charged messages in June (hand-priced in reais at 5,40 in the comments)."""
    session.add_all([Template(name="lembrete_v1", category="UTILITY", status="APPROVED"),
                     Template(name="oferta_v1", category="MARKETING", status="APPROVED")])
    maria = Chat(session, "Maria", "+5511987654321")
    joao = Chat(session, "João", "+5511987654322")
    for hour in range(3):
        maria.out(DAY + timedelta(hours=hour), "lembrete_v1")  # 3 × US$ 0.0068 = R$ 0,11016
    joao.inbound(DAY - timedelta(hours=2))
    joao.out(DAY, "lembrete_v1", status="read")  # utility inside the window: 0
    joao.out(DAY + timedelta(minutes=1), None)  # free-form, service inside the window: 0
    maria.out(DAY + timedelta(days=1), "oferta_v1")  # marketing US$ 0.0625 = R$ 0,3375
    maria.out(DAY + timedelta(days=2), "lembrete_v1",
              pricing=("marketing", "regular"))  # Meta billed marketing: R$ 0,3375
    maria.out(DAY + timedelta(days=3), "lembrete_v1",
              pricing=("utility", "free_entry_point"))  # free: 0
    maria.out(DAY + timedelta(days=4), "lembrete_v1", status="sent")  # not delivered
    maria.out(DAY + timedelta(days=4), "lembrete_v1", status="failed")  # not delivered
    # June 30 at 23:00 in São Paulo, already July 1 for Meta: BRL R$ 0,03672
    maria.out(datetime(2026, 7, 1, 2, 0, tzinfo=UTC), "lembrete_v1")
    # the debtor wrote 24 h and 1 s before: the window had closed, US$ 0.0068 = R$ 0,03672
    later = DAY + timedelta(days=5)
    joao.inbound(later - timedelta(hours=24, seconds=1))
    joao.out(later, "lembrete_v1")
    # May 31 in São Paulo: another month
    maria.out(datetime(2026, 6, 1, 2, 0, tzinfo=UTC), "oferta_v1")
    debt = add_debt(session, maria.debtor, 20_000, date(2026, 5, 10))
    for day, cents in ((date(2026, 6, 1), 5_000), (date(2026, 6, 30), 3_000),
                       (date(2026, 5, 31), 700), (date(2026, 7, 1), 900)):
        session.add(Payment(debt_id=debt, amount_cents=cents, paid_on=day))
    session.flush()


def test_a_month_costs_what_the_messages_cost_counted_by_hand(database: Database) -> None:
    database.run_sync(_june)
    spent = database.run_sync(lambda s: costs.spend_by_template(s, *JUNE, SHIPPED))
    assert spent == (
        TemplateSpend("lembrete_v1", Category.MARKETING, 1, 337_500),
        TemplateSpend("oferta_v1", Category.MARKETING, 1, 337_500),
        TemplateSpend("lembrete_v1", Category.UTILITY, 7, 3 * 36_720 + 36_720 + 36_720),
        TemplateSpend(None, Category.SERVICE, 1, 0),
    )
    total = sum(s.brl_micros for s in spent)
    assert total == 858_600 and sum(s.messages for s in spent) == 10
    assert database.run_sync(lambda s: costs.recovered_cents(
        s, date(2026, 6, 1), date(2026, 6, 30))) == 8_000

    # at the owner's rate of R$ 5,00 only the dollar-priced messages change
    cheaper = check_table({**dump_table(SHIPPED), "usd_brl": "5,00"})
    repriced = database.run_sync(lambda s: costs.spend_by_template(s, *JUNE, cheaper))
    assert sum(s.brl_micros for s in repriced) == (3 * 6_800 + 2 * 62_500 + 6_800) * 5 + 36_720


def test_a_price_that_changes_inside_the_span_prices_each_side(database: Database) -> None:
    def work(session: Session) -> None:
        chat = Chat(session, "Ana", "+5511987654323")
        chat.inbound(datetime(2026, 9, 30, 20, 0, tzinfo=UTC))
        chat.out(datetime(2026, 9, 30, 23, 30, tzinfo=UTC), None)  # service, still free
        chat.out(datetime(2026, 10, 1, 0, 30, tzinfo=UTC), None)  # charged: R$ 0,03672
        chat.out(datetime(2026, 10, 1, 0, 40, tzinfo=UTC), None)  # charged: R$ 0,03672
    database.run_sync(work)
    span = (datetime(2026, 9, 30, 3, 0, tzinfo=UTC), datetime(2026, 10, 2, 3, 0, tzinfo=UTC))
    assert database.run_sync(lambda s: costs.spend_by_template(s, *span)) == (
        TemplateSpend(None, Category.SERVICE, 3, 2 * 36_720),)
