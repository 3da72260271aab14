"""Sample WhatsApp data: the shop's template pack, approved, and believable conversations.

Part of the demo data generator (`demo_data.py`). A conversation starts with the identity check
(COMPLIANCE.md §3), then alternates reminders and overdue notices with the debtor's replies and an
operator's answers; a few end with "Não sou eu" or "Parar mensagens", and the phone's flags say so.
Message statuses and Meta error codes are the real ones (WHATSAPP_CLOUD_API.md §4.5 and §7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.template_pack import NEGOTIATE, PACK, PAID, PIX, STOP, spec_for
from cobrador_desktop.domain.templates import PLACEHOLDER
from cobrador_desktop.services import demo_corpus as corpus

if TYPE_CHECKING:
    from cobrador_desktop.services.demo_data import DemoShop

#: quick-reply payloads map a tap to an action and a debt ("STOP:d42", WHATSAPP_CLOUD_API.md §10.2)
_BUTTON_ACTIONS = {PIX: "PIX", PAID: "PAID", NEGOTIATE: "NEGOTIATE", STOP: "STOP",
                   "Sou eu": "CPC_YES", "Não sou eu": "CPC_NO"}
_SHOP_NAME = "Loja Exemplo"
#: the pack's bodies as `str.format` patterns for the demo shop (a million renders for the
#: benchmark): `{{1}}` becomes `{0}`
_PATTERNS = {
    template.name: PLACEHOLDER.sub(lambda m: "{" + str(int(m[1]) - 1) + "}",
                                   template.body.replace("{loja}", _SHOP_NAME))
    for template in PACK}


def template_rows(shop: DemoShop, now: datetime) -> list[dict[str, Any]]:
    """The shop's template pack (`domain.template_pack.PACK`, seven templates) as Meta approved
    it, ready for the `templates` table."""
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
    return rows


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
    operator_id: int
    first_message_id: int


@dataclass
class _Spec:
    exchange: int
    direction: str
    type: str
    text: str
    payload: dict[str, Any] | None = None
    template: str | None = None
    operator: bool = False


def _parcela(debt: dict[str, Any]) -> str:
    if debt["installment_count"]:
        return f"{debt['installment_number']}/{debt['installment_count']}"
    return "única"


class _Script:
    def __init__(self, rng: corpus.DemoRandom, ctx: ChatContext) -> None:
        self.rng, self.ctx = rng, ctx
        self.specs: list[_Spec] = []
        self.exchange = 0

    def template(self, name: str, params: list[str]) -> None:
        payload = {"template": {"name": name, "language": {"code": "pt_BR"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}]}}
        self.specs.append(_Spec(self.exchange, "out", "template",
                                _PATTERNS[name].format(*params), payload, name))

    def button(self, label: str) -> None:
        payload = {"button": {"text": label,
                              "payload": f"{_BUTTON_ACTIONS[label]}:d{self.ctx.debts[0]['id']}"}}
        self.specs.append(_Spec(self.exchange, "in", "button", label, payload))

    def say(self, direction: str, text: str, *, operator: bool = False) -> None:
        self.specs.append(_Spec(self.exchange, direction, "text", text, operator=operator))

    def notice(self) -> None:
        """One business-initiated template about one of the debtor's debts."""
        rng, ctx = self.rng, self.ctx
        debt = rng.choice(ctx.debts)
        amount = format_brl(debt["amount_cents"])
        due = f"{debt['due_date']:%d/%m/%Y}"
        kind = rng.pick(("lembrete_vencimento_v1", "parcela_em_atraso_v1",
                         "vencimento_hoje_v1", "pagamento_recebido_v1"), (35, 40, 10, 15))
        first, parcela = ctx.first_name, _parcela(debt)
        if kind == "lembrete_vencimento_v1":
            self.template(kind, [first, parcela, amount, due])
        elif kind == "vencimento_hoje_v1":
            self.template(kind, [first, parcela, amount])
        elif kind == "pagamento_recebido_v1":
            self.template(kind, [first, amount, due, parcela])
        else:
            # 2% fine and 1% interest: what CDC art. 52 §1º and common crediário terms allow
            fine, interest = debt["amount_cents"] * 2 // 100, debt["amount_cents"] // 100
            total = format_brl(debt["amount_cents"] + fine + interest)
            detail = (f"{amount} de valor original, {format_brl(fine)} de multa e "
                      f"{format_brl(interest)} de juros")
            self.template(kind, [first, parcela, due, total, detail])

    def reply(self) -> None:
        """The debtor answers: a text, a quick-reply tap or a photo of the receipt."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:
            self.button(rng.choice(corpus.BUTTON_REPLIES))
        elif roll < 0.32:
            payload = {"image": {"id": f"DEMO-MEDIA-{len(self.specs)}-{self.ctx.debtor_id}",
                                 "mime_type": "image/jpeg", "caption": "comprovante"}}
            self.specs.append(_Spec(self.exchange, "in", "image", "comprovante", payload))
        else:
            self.say("in", rng.choice(corpus.INBOUND_REPLIES))


def _script(rng: corpus.DemoRandom, ctx: ChatContext, count: int) -> tuple[_Script, str]:
    """The messages of a conversation (exactly `count`), and how it ends."""
    s = _Script(rng, ctx)
    roll = rng.random()
    ending = "normal"
    if count in (2, 3) and roll < 0.2:
        ending = "wrong_party"
    elif count >= 4 and roll < 0.05:
        ending = "opt_out"
    s.template("confirmacao_identidade_v1", [ctx.identity_name])
    if ending == "wrong_party":
        s.button("Não sou eu")
        if count == 3:
            s.say("out", "Obrigado por avisar. Não enviaremos mais mensagens para este número "
                  "sobre essa pessoa. Desculpe o incômodo.")
        return s, ending
    if count >= 2:
        s.button("Sou eu")
    reserve = 2 if ending == "opt_out" else 0
    while len(s.specs) < count - reserve:
        s.exchange += 1
        s.notice()
        if rng.random() < 0.55:
            s.reply()
            if rng.random() < 0.8:
                s.say("out", rng.choice(corpus.OPERATOR_REPLIES).format(first=ctx.first_name),
                      operator=True)
                if rng.random() < 0.35:
                    s.say("in", rng.choice(corpus.CLOSING_REPLIES))
    del s.specs[count - reserve:]
    if ending == "opt_out":
        s.exchange += 1
        s.button(STOP)
        s.say("out", corpus.OPT_OUT_REPLY)
    return s, ending


def _times(rng: corpus.DemoRandom, specs: list[_Spec], now: datetime) -> list[datetime]:
    """Increasing instants: one exchange per day at most, during the day, all before `now`."""
    exchanges = specs[-1].exchange + 1
    last = rng.pick((0, rng.randint(1, 3), rng.randint(4, 45)), (25, 25, 50))
    gap_max = max(1, min(20, 220 // exchanges))
    days = [last]
    for _ in range(exchanges - 1):
        days.append(days[-1] + rng.randint(1, gap_max))
    days.reverse()
    times: list[datetime] = []
    current = -1
    instant = now
    for spec in specs:
        if spec.exchange != current:
            current = spec.exchange
            day = (now - timedelta(days=days[current])).date()
            instant = datetime.combine(day, time(12, 0), UTC) + timedelta(
                minutes=rng.randint(0, 540))
        else:
            instant += timedelta(minutes=rng.randint(1, 90), seconds=rng.randint(0, 59))
        times.append(instant)
    excess = times[-1] - (now - timedelta(minutes=1))
    if excess > timedelta(0):
        shift = excess + timedelta(minutes=rng.randint(1, 60))
        times = [t - shift for t in times]
    return times


def build_conversation(rng: corpus.DemoRandom, ctx: ChatContext, count: int, *,
                       now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A conversation row and exactly `count` message rows; updates `ctx.phone`/`ctx.link`."""
    script, ending = _script(rng, ctx, count)
    specs = script.specs
    times = _times(rng, specs, now)
    rows: list[dict[str, Any]] = []
    answered_from = max((i for i, s in enumerate(specs) if s.direction == "in"), default=-1)
    for offset, (spec, at) in enumerate(zip(specs, times, strict=True)):
        message_id = ctx.first_message_id + offset
        row = {
            "id": message_id, "conversation_id": ctx.conversation_id,
            "wamid": f"wamid.DEMO{message_id:012X}", "direction": spec.direction,
            "type": spec.type, "text": spec.text, "payload": spec.payload,
            "template_name": spec.template, "status": "received", "error_code": None,
            "error_detail": None, "operator_id": ctx.operator_id if spec.operator else None,
            "created_at": at, "status_at": at,
        }
        if spec.direction == "out":
            _outbound_status(rng, row, answered=offset < answered_from, now=now)
        rows.append(row)
    inbound = [r["created_at"] for r in rows if r["direction"] == "in"]
    last = rows[-1]
    trailing = 0
    for r in reversed(rows):
        if r["direction"] != "in":
            break
        trailing += 1
    if ending == "wrong_party":
        ctx.link.update(wrong_party=True, wrong_party_at=inbound[-1])
    elif ending == "opt_out":
        ctx.phone.update(opted_out=True, opted_out_at=inbound[-1],
                         opt_out_source=corpus.OPT_OUT_SOURCES[0])
    ctx.link["cpc_status"] = ("denied" if ending == "wrong_party"
                              else "confirmed" if count >= 2 else "pending")
    if last["direction"] == "in":
        status = "open"
    else:
        status = rng.choice(("waiting", "resolved")) if inbound else "waiting"
    recent = now - last["created_at"] < timedelta(days=3)
    conversation = {
        "id": ctx.conversation_id, "phone_id": ctx.phone["id"], "debtor_id": ctx.debtor_id,
        "assigned_operator_id": ctx.operator_id, "status": status,
        "last_inbound_at": inbound[-1] if inbound else None,
        "last_message_at": last["created_at"], "unread_count": trailing if recent else 0,
        "created_at": rows[0]["created_at"], "changed_at": last["created_at"],
        # the debtor's first message nobody answered yet (as the ingest records it)
        "waiting_since": rows[-trailing]["created_at"] if trailing else None,
        "resolved_at": last["created_at"] if status == "resolved" else None,
    }
    return conversation, rows


def _outbound_status(rng: corpus.DemoRandom, row: dict[str, Any], *, answered: bool,
                     now: datetime) -> None:
    """Where an outbound message got to; one the debtor answered was surely read."""
    at: datetime = row["created_at"]
    # unanswered templates fail most (a number that lost WhatsApp: 131026), as in real collections
    failure_rate = 0.15 if row["type"] == "template" else 0.05
    if not answered and rng.random() < failure_rate:
        code, detail = (corpus.FAILURES[1] if row["type"] == "text"
                        else rng.pick((corpus.FAILURES[0], corpus.FAILURES[2]), (4, 1)))
        row.update(status="failed", error_code=code, error_detail=detail,
                   status_at=min(now, at + timedelta(seconds=rng.randint(1, 20))))
        return
    if answered:
        status = "read"
    elif now - at > timedelta(days=1):
        status = rng.pick(("read", "delivered", "sent"), (70, 25, 5))
    else:
        status = rng.pick(("read", "delivered", "sent"), (40, 40, 20))
    row.update(status=status, status_at=min(now, at + timedelta(seconds=rng.randint(2, 5400))))
