"""Sample WhatsApp data: the shop's template pack as Meta approved it, and what each conversation
says, exchange by exchange.

Part of the demo data generator (`demo_data.py`). A conversation follows the régua
(`demo_regua`): the identity check first (COMPLIANCE.md §3), then the reminders and overdue
notices of the debtor's debts on their steps' days, a thank-you on the day a debt was paid and
the survey after it; the debtor answers some (a text, a quick-reply tap, a photo of the receipt)
and an operator answers them. A few end with "Não sou eu" or "Parar mensagens". Turning the
exchanges into rows (times, statuses, outbox) is `demo_messages`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cobrador_desktop.domain.inbound_answers import WRONG_PARTY_REPLY
from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.policy import SendKind
from cobrador_desktop.domain.regua import IDENTITY_TEMPLATE, OVERDUE
from cobrador_desktop.domain.template_pack import NEGOTIATE, PACK, PAID, PIX, STOP, spec_for
from cobrador_desktop.domain.templates import (
    BUTTON_ACTIONS,
    PLACEHOLDER,
    SURVEY_QUESTION,
    SURVEY_SCORES,
    survey_buttons,
)
from cobrador_desktop.services import demo_corpus as corpus
from cobrador_desktop.services import demo_regua as regua
from cobrador_desktop.services.demo_regua import Event
from cobrador_desktop.storage.repos.reminders import RECEIPT_STEP
from cobrador_desktop.whatsapp.payloads import buttons_payload

if TYPE_CHECKING:
    from cobrador_desktop.services.demo_data import DemoShop

_SHOP_NAME = "Loja Exemplo"
#: the pack's bodies as `str.format` patterns for the demo shop (a million renders for the
#: benchmark): `{{1}}` becomes `{0}`
_PATTERNS = {
    template.name: PLACEHOLDER.sub(lambda m: "{" + str(int(m[1]) - 1) + "}",
                                   template.body.replace("{loja}", _SHOP_NAME))
    for template in PACK}
BUSINESS_INITIATED = SendKind.BUSINESS_INITIATED.value
#: who answers a debtor nobody looks after (Diego covers most; Rita, the owner, now and then)
HELPERS, HELPER_WEIGHTS = (2, 3, 4, 5, 1), (3, 3, 3, 5, 1)
#: the share of 2-3 message conversations that end in "Não sou eu"
WRONG_PARTY_SHARE = 0.2
#: of the 2-message conversations, those where nobody answered either identity check
NO_ANSWER_SHARE = 0.4
#: how readily a debtor answers a reminder, and how many debtors are like that
TALK, TALK_WEIGHTS = (0.6, 0.3, 0.05), (40, 35, 25)
#: a template the régua sent fails (Meta's error) / its answer is lost (`unknown`)
FAILURE_SHARE, UNKNOWN_SHARE = 0.07, 0.008


def template_rows(shop: DemoShop, now: datetime) -> list[dict[str, Any]]:
    """The shop's template pack (`domain.template_pack.PACK`, seven templates) as Meta approved
    it, and one more Meta rejected (a discount offer sent as utility), for the `templates`
    table."""
    rows = []
    for index, template in enumerate(PACK, start=1):
        spec = spec_for(template, shop.name, shop.cnpj)
        rows.append({
            "id": index, "name": template.name, "language": spec["language"],
            "category": spec["category"], "status": "APPROVED",
            "parameter_format": spec["parameter_format"], "components": spec["components"],
            "purpose": template.purpose, "meta_id": str(594425479261590 + index),
            "quality": "GREEN", "rejected_reason": None, "synced_at": now - timedelta(days=2),
        })
    footer = rows[0]["components"][1]
    rows.append({
        "id": len(rows) + 1, "name": "oferta_quitacao_v1", "language": "pt_BR",
        "category": "UTILITY", "status": "REJECTED", "parameter_format": "POSITIONAL",
        "components": [
            {"type": "BODY", "text": f"Olá, {{{{1}}}}! A {shop.name} preparou uma condição "
                                     "especial: quite seu saldo com {{2}} de desconto até "
                                     "{{3}}.",
             "example": {"body_text": [["Ana", "20%", "30/11/2026"]]}},
            footer,
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": PIX},
                                            {"type": "QUICK_REPLY", "text": STOP}]}],
        "purpose": "negotiation", "meta_id": str(594425479261590 + len(rows) + 1),
        "quality": None, "rejected_reason": "TAG_CONTENT_MISMATCH",
        "synced_at": now - timedelta(days=2)})
    return rows


def survey_text(shop: DemoShop) -> str:
    """The survey's question as the régua sends it for the demo shop."""
    return SURVEY_QUESTION.format(loja=shop.name, cnpj=shop.cnpj)


@dataclass
class ChatContext:
    """What a conversation needs to know about its debtor; `phone`/`link` rows get updated."""

    conversation_id: int
    phone: dict[str, Any]
    link: dict[str, Any]
    debtor_id: int
    first_name: str
    #: how the identity check names the person: "Maria S." (or the company name)
    identity_name: str
    debts: list[dict[str, Any]]
    #: the operator the conversation is assigned to (the owner's when nobody looks after it)
    operator_id: int
    first_message_id: int
    #: the debtor's payments (their days place the thank-yous)
    payments: list[dict[str, Any]] = field(default_factory=list)
    #: the debtor's own operator (None: whoever is free answers)
    looked_after_by: int | None = None
    today: date | None = None
    #: the survey's question (None: the survey is off)
    survey: str | None = None
    #: the conversation ends with "Parar mensagens" (at least 4 messages)
    opts_out: bool = False


@dataclass
class Spec:
    """One message of an exchange, before it gets a time and a status."""

    direction: str
    type: str
    text: str
    payload: dict[str, Any] | None = None
    template: str | None = None
    operator_id: int | None = None
    #: the régua step that queued it (None: an operator's or an automatic reply)
    event: Event | None = None
    #: a template still to render about this event's debt (rendered once the message is kept)
    about: Event | None = None
    purpose: str = regua.FREE_REPLY
    kind: str = regua.REPLY
    #: an inbound tap: the payload WhatsApp sends back (`CPC_YES:d42`)
    tap: str | None = None
    #: (code, detail) of Meta's error, or "unknown" when the send's answer was lost
    outcome: tuple[int, str] | str | None = None
    #: an identity check the person answered at the shop: an operator confirms it by hand
    confirms: bool = False


@dataclass
class Exchange:
    """Messages of one day, in order; the régua's go out in the morning."""

    day: date
    specs: list[Spec]
    morning: bool = False


def _parcela(debt: dict[str, Any]) -> str:
    if debt["installment_count"]:
        return f"{debt['installment_number']}/{debt['installment_count']}"
    return "única"


class Script:
    """Builds a conversation's exchanges with the generator's dice."""

    def __init__(self, rng: corpus.DemoRandom, ctx: ChatContext) -> None:
        self.rng, self.ctx = rng, ctx
        #: how readily this debtor answers a reminder (many never do)
        self.talk = rng.pick(TALK, TALK_WEIGHTS)

    # ------------------------------------------------------------------ messages

    def notice(self, event: Event) -> Spec:
        """The step's template about its debt (its text is rendered by `render`)."""
        return Spec("out", "template", "", None, event.template, event=event, about=event,
                    purpose=event.purpose, kind=regua.AUTOMATED)

    def render(self, spec: Spec) -> None:
        """Fill in a template's text and request with the values the régua puts in."""
        event = spec.about
        assert event is not None and event.template is not None
        params = self._params(event)
        spec.text = _PATTERNS[event.template].format(*params)
        spec.payload = {"messaging_product": "whatsapp", "recipient_type": "individual",
                        "type": "template", "template": {
                            "name": event.template, "language": {"code": "pt_BR"},
                            "components": [{"type": "body", "parameters": [
                                {"type": "text", "text": p} for p in params]}]}}
        spec.about = None

    def _params(self, event: Event) -> list[str]:
        debt, first = event.debt, self.ctx.first_name
        name = event.template
        if name == IDENTITY_TEMPLATE:
            return [self.ctx.identity_name]
        amount, parcela = format_brl(debt["amount_cents"]), _parcela(debt)
        due = f"{debt['due_date']:%d/%m/%Y}"
        if name == "lembrete_vencimento_v1":
            return [first, parcela, amount, due]
        if name == "vencimento_hoje_v1":
            return [first, parcela, amount]
        if name == regua.RECEIPT_TEMPLATE:
            return [first, amount, f"{event.day:%d/%m/%Y}", parcela]
        # 2% fine and 1% interest: what CDC art. 52 §1º and common crediário terms allow
        fine, interest = debt["amount_cents"] * 2 // 100, debt["amount_cents"] // 100
        total = format_brl(debt["amount_cents"] + fine + interest)
        detail = (f"{amount} de valor original, {format_brl(fine)} de multa e "
                  f"{format_brl(interest)} de juros")
        return [first, parcela, due, total, detail]

    def tap(self, label: str, tap: str, kind: str = "button") -> Spec:
        return Spec("in", kind, label, tap=tap)

    def button(self, label: str, debt: dict[str, Any]) -> Spec:
        return self.tap(label, f"{BUTTON_ACTIONS[label]}:d{debt['id']}")

    def said(self, text: str) -> Spec:
        return Spec("in", "text", text)

    def who(self) -> int:
        """The operator who answers this time: mostly the debtor's own, else whoever is free."""
        ctx, rng = self.ctx, self.rng
        if ctx.looked_after_by is not None and rng.random() < 0.8:
            return ctx.looked_after_by
        return rng.pick(HELPERS, HELPER_WEIGHTS)

    def operator(self) -> Spec:
        ctx, rng = self.ctx, self.rng
        who = self.who()
        text = rng.choice(corpus.OPERATOR_REPLIES).format(first=ctx.first_name)
        return Spec("out", "text", text, {"messaging_product": "whatsapp",
                                          "recipient_type": "individual", "type": "text",
                                          "text": {"body": text}}, operator_id=who)

    def system(self, text: str) -> Spec:
        """The app's own answer to an opt-out or a "não sou eu" (no operator)."""
        spec = self.operator()
        spec.text, spec.operator_id, spec.purpose = text, None, regua.SYSTEM_REPLY
        spec.payload = {**(spec.payload or {}), "text": {"body": text}}
        return spec

    def reply(self, debt: dict[str, Any]) -> Spec:
        """The debtor answers: a text, a quick-reply tap or a photo of the receipt."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:
            return self.button(rng.choice(corpus.BUTTON_REPLIES), debt)
        if roll < 0.32:
            payload = {"image": {"id": f"DEMO-MEDIA-{debt['id']}-{rng.randint(0, 10**6)}",
                                 "mime_type": "image/jpeg", "caption": "comprovante"}}
            return Spec("in", "image", "comprovante", payload)
        return self.said(rng.choice(corpus.INBOUND_REPLIES))

    # ------------------------------------------------------------------ exchanges

    def identity(self, event: Event, *, answered: bool, wrong: int = 0) -> Exchange:
        """The identity check, "Sou eu" (or "Não sou eu" and, with `wrong` = 3, the reply)."""
        specs = [self.notice(event)]
        if wrong:
            specs.append(self.button("Não sou eu", event.debt))
            if wrong == 3:
                specs.append(self.system(WRONG_PARTY_REPLY))
        elif answered:
            specs.append(self.button("Sou eu", event.debt))
        return Exchange(event.day, specs, morning=True)

    def step(self, event: Event) -> Exchange:
        """A reminder or notice; perhaps answered, and the answer answered."""
        rng = self.rng
        sent = self.notice(event)
        specs = [sent]
        roll = rng.random()
        if roll < FAILURE_SHARE:
            sent.outcome = rng.pick(corpus.FAILURES, (55, 0, 12, 33))
        elif roll < FAILURE_SHARE + UNKNOWN_SHARE:
            sent.outcome = "unknown"
        elif rng.random() < self.talk:
            specs.append(self.reply(event.debt))
            if rng.random() < 0.8:
                specs.append(self.operator())
                if rng.random() < 0.35:
                    specs.append(self.said(rng.choice(corpus.CLOSING_REPLIES)))
        return Exchange(event.day, specs, morning=True)

    def receipt(self, event: Event) -> Exchange:
        """The day a debt was paid: perhaps "paguei", the thank-you, the survey and its answer."""
        rng = self.rng
        wrote = rng.random() < 0.7
        specs = [self.said(rng.choice(corpus.PAID_INBOUND))] if wrote else []
        specs.append(self.notice(event))
        if wrote and self.ctx.survey is not None:
            survey = regua.survey(event)
            buttons = survey_buttons(event.debt["id"])
            request = {k: v for k, v in buttons_payload(
                self.ctx.phone["e164"], self.ctx.survey, buttons).items() if k != "to"}
            specs.append(Spec("out", "interactive", self.ctx.survey, request, event=survey,
                              purpose=survey.purpose, kind=regua.AUTOMATED))
            if rng.random() < 0.8:
                score = rng.pick([s for s, _ in corpus.SURVEY_WEIGHTS],
                                 [w for _, w in corpus.SURVEY_WEIGHTS])
                tapped = next(i for i, t in buttons if t == SURVEY_SCORES[score])
                specs.append(self.tap(SURVEY_SCORES[score], tapped, "interactive"))
        return Exchange(event.day, specs, morning=not wrote)

    def by_hand(self, day: date) -> Exchange:
        """An operator sends the overdue notice of the oldest debt unpaid that day from the
        inbox (the debtor writes instead when nothing was overdue)."""
        debts = regua.unpaid(self.ctx.debts, self.ctx.payments, day)
        if not debts:
            return self.chat(day, 1)
        spec = self.notice(Event(day, "", OVERDUE, "parcela_em_atraso_v1", debts[0]))
        spec.event, spec.kind = None, BUSINESS_INITIATED
        spec.operator_id = self.who()
        return Exchange(day, [spec])

    def chat(self, day: date, size: int) -> Exchange:
        """The debtor writes and an operator answers, `size` messages."""
        rng = self.rng
        specs = [self.said(rng.choice(corpus.INBOUND_REPLIES))]
        while len(specs) < size:
            specs.append(self.operator() if len(specs) % 2 else
                         self.said(rng.choice(corpus.CLOSING_REPLIES + corpus.INBOUND_REPLIES)))
        return Exchange(day, specs)

    def opt_out(self, day: date, debt: dict[str, Any]) -> Exchange:
        return Exchange(day, [self.button(STOP, debt), self.system(corpus.OPT_OUT_REPLY)])


#: the labels `Script.reply` may tap, all known actions
assert set(corpus.BUTTON_REPLIES) <= {PIX, PAID, NEGOTIATE}


def plan(rng: corpus.DemoRandom, ctx: ChatContext, count: int) -> tuple[list[Exchange], str]:
    """Exactly `count` messages in exchanges, oldest first, and how the conversation ends."""
    assert ctx.today is not None
    s = Script(rng, ctx)
    roll = rng.random()
    ending = "normal"
    if count in (2, 3) and roll < WRONG_PARTY_SHARE:
        ending = "wrong_party"
    elif count == 2 and roll < WRONG_PARTY_SHARE + NO_ANSWER_SHARE:
        ending = "no_answer"
    elif ctx.opts_out and count >= 4:
        ending = "opt_out"
    events = regua.plan_events(ctx.debts, ctx.payments, today=ctx.today)
    # a quiet debtor often confirms who they are at the shop's counter, not in WhatsApp
    at_counter = ending == "normal" and s.talk < 0.1 and count >= 2 and rng.random() < 0.7
    budget = 0 if ending in ("wrong_party", "no_answer") else count - (
        1 if at_counter else min(count, 2)) - (2 if ending == "opt_out" else 0)
    chosen: list[Exchange] = []
    for event in reversed(events):  # the most recent first: a conversation runs to today
        if budget <= 0:
            break
        exchange = s.receipt(event) if event.step == RECEIPT_STEP else s.step(event)
        if len(exchange.specs) <= budget:
            chosen.append(exchange)
            budget -= len(exchange.specs)
    chosen.reverse()
    about = [spec.event for x in chosen[:1] for spec in x.specs if spec.event is not None]
    if about:
        start = regua.working_day(chosen[0].day - timedelta(days=rng.randint(1, 3)))
        debt = about[0].debt
    else:
        start = regua.working_day(ctx.today - timedelta(days=rng.randint(7, regua.HISTORY_DAYS)))
        open_debts = [d for d in ctx.debts if d["status"] == "open"]
        debt = min(open_debts or ctx.debts, key=lambda d: d["due_date"])
    first = s.identity(regua.identity_check(debt, start),
                       answered=count >= 2 and ending != "no_answer" and not at_counter,
                       wrong=count if ending == "wrong_party" else 0)
    first.specs[0].confirms = at_counter
    if ending == "no_answer":
        retry = regua.identity_check(debt, regua.working_day(start + timedelta(days=3)),
                                     attempt=2)
        return _rendered(s, [first, s.identity(retry, answered=False)]), ending
    exchanges = [first, *chosen]
    span = (ctx.today - start).days
    while budget > 0:  # the rest: the debtor writes on other days and is answered, or an
        day = start + timedelta(days=rng.randint(0, span))  # operator writes first
        if rng.random() >= s.talk and (on := regua.working_day(day)) <= ctx.today:
            size = 1
            exchanges.append(s.by_hand(on))
        else:
            size = min(budget, rng.choice((2, 2, 3, 4, 5)))
            exchanges.append(s.chat(day, size))
        budget -= size
    order = {id(x): i for i, x in enumerate(exchanges)}
    exchanges.sort(key=lambda x: (x.day, not x.morning, order[id(x)]))
    exchanges.remove(first)
    exchanges.insert(0, first)
    if ending == "opt_out":
        exchanges.append(s.opt_out(exchanges[-1].day, debt))
    return _rendered(s, exchanges), ending


def _rendered(s: Script, exchanges: list[Exchange]) -> list[Exchange]:
    for exchange in exchanges:
        for spec in exchange.specs:
            if spec.about is not None:
                s.render(spec)
    return exchanges
