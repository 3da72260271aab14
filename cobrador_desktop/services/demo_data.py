"""A deterministic generator of realistic Brazilian sample data for `demo` and the benchmarks.

Pure Python, no SQL: it yields `Chunk`s (a table name and its rows as plain dicts keyed by column)
in foreign-key order, a block of debtors at a time, so the 100k-debtor benchmark data set never
sits in memory whole. The same `seed`, `scale` and `today` give the same rows, byte for byte.

Counts promised: exactly `scale.debtors` debtors, `scale.debts_total` debts and
`scale.messages_total` messages; phones, payments and conversations follow from those.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from cobrador_desktop.domain.documents import cnpj_check_digits, cpf_check_digits
from cobrador_desktop.domain.settings import (
    NUMBER_QUALITY,
    PAYMENT_SURVEY,
    SHOP_PIX_KEY,
    NumberQuality,
    ShopDetails,
)
from cobrador_desktop.domain.settings import SHOP as GUARD_SHOP
from cobrador_desktop.domain.text import fold
from cobrador_desktop.services import demo_corpus as corpus
from cobrador_desktop.services.demo_chat import ChatContext, survey_text, template_rows
from cobrador_desktop.services.demo_debts import DebtFactory
from cobrador_desktop.services.demo_messages import RowIds, build_conversation
from cobrador_desktop.services.passwords import demo_password_hash

#: bump when the generated data changes shape, so cached benchmark databases are rebuilt
GENERATOR_VERSION = 6

#: tables in the order their rows must be inserted (foreign keys point backwards only)
TABLE_ORDER = ("settings", "operators", "templates", "debtors", "phones", "debtor_phones", "debts",
               "payments", "conversations", "messages", "outbox", "regua_sends")

SHOP_SETTING_KEY = "shop"


@dataclass(frozen=True)
class DemoScale:
    """How much data to generate.

    Attributes:
        debtors: number of debtors.
        debts_per_debtor_avg: average debts per debtor (at least 1: every debtor owes something).
        messages_total: messages spread over the conversations of about 45% of the debtors.
    """

    debtors: int
    debts_per_debtor_avg: float
    messages_total: int

    def __post_init__(self) -> None:
        if self.debtors < 1 or self.debts_per_debtor_avg < 1 or self.messages_total < 0:
            raise ValueError(f"invalid demo scale: {self}")

    @property
    def debts_total(self) -> int:
        """The exact number of debts generated."""
        return round(self.debtors * self.debts_per_debtor_avg)

    @property
    def conversations_total(self) -> int:
        """The exact number of conversations generated."""
        return min(self.debtors * 45 // 100 or 1, self.messages_total)


#: the `demo` command: a few hundred debtors, enough to browse and search
DEMO = DemoScale(debtors=300, debts_per_debtor_avg=3.0, messages_total=2_500)
#: the benchmark database (issue 3 §9)
BENCH = DemoScale(debtors=100_000, debts_per_debtor_avg=3.0, messages_total=1_000_000)


class Chunk(NamedTuple):
    """Rows for one table, each a dict with every column of that table."""

    table: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class DemoShop:
    """The one sample shop whose name and CNPJ the templates quote."""

    name: str = "Loja Exemplo"
    #: 12.345.678/0001-95: the documentation's example root with its real check digits
    cnpj: str = "123456780001" + cnpj_check_digits("123456780001")
    city: str = "Campinas"
    uf: str = "SP"
    timezone: str = "America/Sao_Paulo"

    @property
    def cnpj_formatted(self) -> str:
        c = self.cnpj
        return f"{c[:2]}.{c[2:5]}.{c[5:8]}/{c[8:12]}-{c[12:]}"

    def as_setting(self) -> dict[str, Any]:
        return {"name": self.name, "cnpj": self.cnpj, "city": self.city, "uf": self.uf,
                "timezone": self.timezone}


SHOP = DemoShop()

#: (name, login, role) of the people who use the sample shop's app; all sign in with
#: `passwords.DEMO_PASSWORD` (the demo's sign-in says so)
OPERATORS = (("Rita (dona)", "rita", "owner"), ("Ana", "ana", "operator"),
             ("Bruno", "bruno", "operator"), ("Carla", "carla", "operator"),
             ("Diego", "diego", "operator"))
OWNER_ID = 1


def operator_rows(now: datetime) -> list[dict[str, Any]]:
    """The sample shop's accounts (`OPERATORS`, ids from 1), all with the demo's password."""
    created = now - timedelta(days=420)
    password_hash = demo_password_hash()  # ~0.1 s: made once per process, shared
    return [{"id": i, "name": name, "login": login, "role": role, "password_hash": password_hash,
             "active": True, "created_at": created + timedelta(days=7 * (i - 1))}
            for i, (name, login, role) in enumerate(OPERATORS, start=1)]


def generate(scale: DemoScale = DEMO, *, today: date, seed: int = 42,
             now: datetime | None = None, chunk_debtors: int = 1000) -> Iterator[Chunk]:
    """Yield the sample data set, table by table and block by block.

    Args:
        scale: how many debtors, debts and messages.
        today: the shop's current date; due dates spread from ~8 months before to ~6 after it.
        seed: the random seed; the same arguments give the same rows.
        now: the instant the data is "as of" (aware UTC); messages and payments lie before it.
            Defaults to noon UTC of `today`.
        chunk_debtors: debtors per block (memory vs. number of inserts; no effect on the data).
    """
    now = now or datetime.combine(today, time(12, 0), UTC)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    gen = _Generator(scale, today=today, now=now.astimezone(UTC), seed=seed)
    yield Chunk("settings", [{"key": SHOP_SETTING_KEY, "value": SHOP.as_setting(),
                              "updated_at": gen.now}, *guard_settings(gen.now)])
    yield Chunk("operators", gen.operators())
    yield Chunk("templates", template_rows(SHOP, gen.now))
    for start in range(0, scale.debtors, chunk_debtors):
        yield from gen.block(start, min(start + chunk_debtors, scale.debtors))


def guard_settings(now: datetime) -> list[dict[str, Any]]:
    """The sample shop's identity (CDC art. 42-A) and a green number, as the send guard reads them:
    without them it blocks every template (FACTS_MISSING)."""
    identity = ShopDetails(trade_name=SHOP.name, legal_name=SHOP.name, document=SHOP.cnpj,
                           address="Rua Barão de Jaguara, 1000 - Centro, Campinas/SP", uf=SHOP.uf,
                           phone="+5511999990000")  # the demo number: wa.me and tel: links
    return [{"key": GUARD_SHOP.key, "value": {"value": GUARD_SHOP.dump(identity)},
             "updated_at": now},
            {"key": NUMBER_QUALITY.key,
             "value": {"value": NUMBER_QUALITY.dump(NumberQuality("GREEN", "TIER_1K"))},
             "updated_at": now},
            # the post-payment survey is on: the Resultados screen shows its answers
            {"key": PAYMENT_SURVEY.key, "value": {"value": PAYMENT_SURVEY.dump(True)},
             "updated_at": now},
            # the shop's PIX receiver (its CNPJ as the key): the inbox's "Enviar PIX" and the
            # debtors' "Quero o código PIX" get a real copia e cola in the demo
            {"key": SHOP_PIX_KEY, "value": {"key": SHOP.cnpj, "name": "LOJA EXEMPLO",
                                            "city": SHOP.city.upper()},
             "updated_at": now}]


def _exact_counts(rng: corpus.DemoRandom, n: int, total: int, lo: int, hi: int,
                  draw: Any) -> list[int]:
    """`n` counts in [lo, hi] drawn with `draw()`, then nudged so they sum to exactly `total`."""
    counts = [min(hi, max(lo, int(draw()))) for _ in range(n)]
    diff = total - sum(counts)
    while diff:
        i = rng.randint(0, n - 1)
        if diff > 0 and counts[i] < hi:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > lo:
            counts[i] -= 1
            diff += 1
    return counts


@dataclass
class _Ids(RowIds):
    phone: int = 0
    debtor_phone: int = 0
    conversation: int = 0
    message: int = 0


@dataclass
class _Block:
    tables: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {t: [] for t in TABLE_ORDER[3:]})


class _Generator:
    def __init__(self, scale: DemoScale, *, today: date, now: datetime, seed: int) -> None:
        self.scale, self.today, self.now = scale, today, now
        self.rng = corpus.DemoRandom(f"cobrador-demo:{seed}")
        plan = corpus.DemoRandom(f"cobrador-demo-plan:{seed}")
        n = scale.debtors
        avg = scale.debts_per_debtor_avg
        self.debt_counts = _exact_counts(
            plan, n, scale.debts_total, 1, max(12, int(avg * 4)),
            lambda: round(plan.gammavariate(2.0, avg / 2.0) + 0.5))
        self.message_counts = [0] * n
        n_conv = scale.conversations_total
        if n_conv:
            avg_m = scale.messages_total / n_conv
            counts = _exact_counts(
                plan, n_conv, scale.messages_total, 1, max(200, int(avg_m * 8)),
                lambda: round(plan.gammavariate(1.6, avg_m / 1.6) + 0.5))
            for i, m in zip(sorted(plan.sample(range(n), n_conv)), counts, strict=True):
                self.message_counts[i] = m
        # about one number in a hundred messaged asks to stop (the health lights stay green)
        long = [i for i, m in enumerate(self.message_counts) if m >= 4]
        self.opting_out = set(plan.sample(long, min(len(long), max(1, n_conv // 100))))
        self.ids = _Ids()
        self.survey = survey_text(SHOP)
        self.used_documents: set[str] = set()
        self.used_numbers: set[str] = set()
        self.debts = DebtFactory(self.rng, today=today, now=now,
                                 operator_ids=list(range(1, len(OPERATORS) + 1)))
        #: recent landline phone ids a later debtor of the same household may share
        self.household: list[int] = []

    # ------------------------------------------------------------------ fixed rows

    def operators(self) -> list[dict[str, Any]]:
        return operator_rows(self.now)

    # ------------------------------------------------------------------ debtors

    def block(self, start: int, stop: int) -> Iterator[Chunk]:
        out = _Block()
        for index in range(start, stop):
            self._debtor(index, out.tables)
        for table in TABLE_ORDER[3:]:
            if out.tables[table]:
                yield Chunk(table, out.tables[table])

    def _debtor(self, index: int, t: dict[str, list[dict[str, Any]]]) -> None:
        rng = self.rng
        debtor_id = index + 1
        company = rng.random() < 0.12
        name, first_name = self._company_name() if company else self._person_name()
        identity_name = name if company else f"{first_name} {name.split()[-1][0]}."
        local = rng.random() < 0.6
        ddd, uf, city = ("19", "SP", rng.choice(corpus.LOCAL_CITIES)) if local else \
            rng.choice(corpus.DDDS)
        document, document_type = self._document(company)
        # most customers are looked after by one operator; the rest by whoever is free
        operator = rng.choice((2, 3, 4)) if rng.random() < 0.55 else None
        debtor: dict[str, Any] = {
            "id": debtor_id, "name": name, "name_key": fold(name),
            "document": document, "document_type": document_type,
            "email": self._email(name, first_name, company) if rng.random() < 0.45 else None,
            "tags": rng.sample(corpus.TAGS, rng.choice((0, 0, 1, 1, 2))),
            "address": f"{rng.choice(corpus.STREETS)}, {rng.randint(12, 3999)} – "
                       f"{rng.choice(corpus.NEIGHBOURHOODS)}",
            "city": city, "uf": uf,
            "notes": rng.choice(corpus.NOTES) if rng.random() < 0.1 else None,
            "opted_out": rng.random() < 0.01, "assigned_operator_id": operator,
            "anonymised_at": None, "created_at": self.now, "updated_at": self.now,
            "open_cents": 0, "open_debts": 0, "oldest_open_due": None, "next_due": None,
            "last_contact_at": None,
        }
        t["debtors"].append(debtor)
        paid_before = len(t["payments"])
        debts = self.debts.for_debtor(debtor_id, self.debt_counts[index], t["debts"],
                                      t["payments"])
        first_purchase = min(d["created_at"] for d in debts)
        debtor["created_at"] = debtor["updated_at"] = first_purchase - timedelta(
            days=rng.randint(0, 30), minutes=rng.randint(0, 600))
        messages = self.message_counts[index]
        main_phone, link = self._phones(debtor_id, ddd, first_purchase, t,
                                        needs_whatsapp=messages > 0)
        if messages:
            self.ids.conversation += 1
            ctx = ChatContext(
                conversation_id=self.ids.conversation, phone=main_phone, link=link,
                debtor_id=debtor_id, first_name=first_name, identity_name=identity_name,
                debts=debts, operator_id=operator or OWNER_ID,
                first_message_id=self.ids.message + 1, payments=t["payments"][paid_before:],
                looked_after_by=operator, today=self.today, survey=self.survey,
                opts_out=index in self.opting_out)
            made = build_conversation(rng, ctx, messages, now=self.now, ids=self.ids)
            self.ids.message += len(made.messages)
            t["conversations"].append(made.conversation)
            debtor["last_contact_at"] = made.conversation["last_message_at"]
            t["messages"].extend(made.messages)
            t["outbox"].extend(made.outbox)
            t["regua_sends"].extend(made.regua_sends)

    def _person_name(self) -> tuple[str, str]:
        rng = self.rng
        female = rng.random() < 0.55
        first = rng.choice(corpus.FIRST_NAMES_F if female else corpus.FIRST_NAMES_M)
        given = first
        if rng.random() < 0.2:
            given = f"{first} {rng.choice(corpus.SECOND_NAMES_F if female else corpus.SECOND_NAMES_M)}"
        surnames: list[str] = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            surname = rng.choice(corpus.SURNAMES)
            if surname not in surnames:  # "Costa Costa" is nobody's name
                surnames.append(surname)
        if len(surnames) > 1 and surnames[-1] in corpus.PARTICLES and rng.random() < 0.5:
            surnames.insert(-1, corpus.PARTICLES[surnames[-1]])
        return f"{given} {' '.join(surnames)}", first

    def _company_name(self) -> tuple[str, str]:
        rng = self.rng
        pattern = rng.choice(corpus.COMPANY_PATTERNS)
        name = pattern.format(s1=rng.choice(corpus.SURNAMES), s2=rng.choice(corpus.SURNAMES),
                              i=rng.choice("ABCDEFGJLMPRS"))
        # the person who answers a company's WhatsApp is usually its owner or bookkeeper
        return name, rng.choice(corpus.FIRST_NAMES_F + corpus.FIRST_NAMES_M)

    def _document(self, company: bool) -> tuple[str | None, str | None]:
        rng = self.rng
        if rng.random() < 0.05:
            return None, None
        while True:
            if not company:
                base = f"{rng.randint(1, 10**9 - 1):09d}"
                value, kind = base + cpf_check_digits(base), "cpf"
            elif rng.random() < 0.15:
                # the alphanumeric CNPJ of registrations from July 2026: letters in the root
                alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                root = "".join(rng.choice(alphabet) for _ in range(8))
                base = root + "0001"
                value, kind = base + cnpj_check_digits(base), "cnpj"
            else:
                base = f"{rng.randint(1, 10**8 - 1):08d}{rng.choice(('0001', '0001', '0002')):s}"
                value, kind = base + cnpj_check_digits(base), "cnpj"
            if len(set(value[:9])) > 1 and value not in self.used_documents:
                self.used_documents.add(value)
                return value, kind

    def _email(self, name: str, first_name: str, company: bool) -> str:
        rng = self.rng
        words = fold(name).replace("&", " ").replace(".", " ").split()
        if company:
            slug = "".join(w for w in words[:2] if w.isalpha())
            return f"financeiro@{slug}.com.br"
        user = f"{fold(first_name)}.{words[-1]}"
        if rng.random() < 0.5:
            user += str(rng.randint(1, 99))
        return f"{user}@{rng.choice(corpus.EMAIL_DOMAINS)}"

    # ------------------------------------------------------------------ phones

    def _number(self, ddd: str, mobile: bool) -> str:
        rng = self.rng
        while True:
            if mobile:
                e164 = f"+55{ddd}9{rng.randint(6, 9)}{rng.randint(0, 10**7 - 1):07d}"
            else:
                e164 = f"+55{ddd}{rng.randint(2, 5)}{rng.randint(0, 10**7 - 1):07d}"
            if e164 not in self.used_numbers:
                self.used_numbers.add(e164)
                return e164

    def _phones(self, debtor_id: int, ddd: str, since: datetime,
                t: dict[str, list[dict[str, Any]]], *, needs_whatsapp: bool,
                ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Add the debtor's phones; return the main phone and its link (the chat's number)."""
        rng = self.rng
        own = rng.pick((1, 2, 3), (60, 30, 10))
        links: list[dict[str, Any]] = []
        main: tuple[dict[str, Any], dict[str, Any]] | None = None
        for position in range(own):
            mobile = (needs_whatsapp or rng.random() < 0.95) if position == 0 else \
                rng.random() < 0.6
            phone = self._phone_row(ddd, mobile, since, main=position == 0,
                                    needs_whatsapp=needs_whatsapp and position == 0)
            t["phones"].append(phone)
            link = self._link(debtor_id, phone["id"], position,
                              "Celular" if mobile else rng.choice(("Casa", "Trabalho")))
            if position > 0 and rng.random() < 0.08:
                link.update(wrong_party=True, cpc_status="denied",
                            wrong_party_at=self._past(since, rng.randint(30, 120)))
            if position == 0:
                main = (phone, link)
            elif not mobile:
                self.household.append(phone["id"])
                del self.household[:-50]
            links.append(link)
        if self.household and rng.random() < 0.03:
            # a household landline another debtor already gave: one number, two people
            shared = rng.choice(self.household)
            if all(link["phone_id"] != shared for link in links):
                links.append(self._link(debtor_id, shared, len(links), "Casa (compartilhado)"))
        if rng.random() < 0.08:
            phone = self._phone_row(ddd, True, since, main=False, needs_whatsapp=False,
                                    reference=True)
            t["phones"].append(phone)
            links.append(self._link(debtor_id, phone["id"], len(links),
                                    rng.choice(("Referência – mãe", "Referência – trabalho",
                                                "Referência – irmã", "Referência – vizinho")),
                                    role="reference"))
        t["debtor_phones"].extend(links)
        assert main is not None
        return main

    def _past(self, since: datetime, days: int) -> datetime:
        """`days` after `since`, but never after the data set's `now`."""
        return min(since + timedelta(days=days), self.now - timedelta(hours=1))

    def _link(self, debtor_id: int, phone_id: int, position: int, label: str,
              role: str = "own") -> dict[str, Any]:
        self.ids.debtor_phone += 1
        return {"id": self.ids.debtor_phone, "debtor_id": debtor_id, "phone_id": phone_id,
                "role": role, "never_message": role == "reference", "wrong_party": False,
                "wrong_party_at": None, "cpc_status": "unverified", "cpc_at": None,
                "cpc_message_id": None, "label": label,
                "position": position}

    def _phone_row(self, ddd: str, mobile: bool, since: datetime, *, main: bool,
                   needs_whatsapp: bool, reference: bool = False) -> dict[str, Any]:
        rng = self.rng
        self.ids.phone += 1
        e164 = self._number(ddd, mobile)
        if needs_whatsapp:
            status = "yes"
        elif mobile:
            status = rng.pick(("yes", "unknown", "no"), (65, 25, 10))
        else:
            status = rng.choice(("unknown", "no"))
        wa_id = None
        if status == "yes":
            # accounts created before the 9th digit keep the old 12-digit id (§5 of the API doc)
            wa_id = e164[1:5] + e164[6:] if rng.random() < 0.15 else e164[1:]
        checked = None if status == "unknown" else self._past(since, rng.randint(1, 60))
        opt_in = not reference and mobile and rng.random() < (0.9 if main else 0.6)
        opted_out = not reference and not needs_whatsapp and rng.random() < 0.03
        opt_in_at = since - timedelta(minutes=rng.randint(0, 240)) if opt_in else None
        return {
            "id": self.ids.phone, "e164": e164, "kind": "mobile" if mobile else "landline",
            "wa_id": wa_id, "whatsapp_status": status, "whatsapp_checked_at": checked,
            "opted_out": opted_out,
            "opted_out_at": self._past(since, rng.randint(10, 90)) if opted_out else None,
            "opt_out_source": rng.choice(corpus.OPT_OUT_SOURCES[1:]) if opted_out else None,
            "opt_in_source": rng.choice(corpus.OPT_IN_SOURCES) if opt_in else None,
            "opt_in_at": opt_in_at,
            "opt_in_wording": corpus.OPT_IN_WORDING if opt_in else None,
            "opt_in_recorded_by": rng.randint(1, len(OPERATORS)) if opt_in else None,
            "suppressed": False, "suppression_source": None,
            "created_at": opt_in_at or since,
        }
