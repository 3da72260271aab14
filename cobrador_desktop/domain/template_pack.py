"""The shop's collection template pack (pt-BR, UTILITY, POSITIONAL) and the rules Meta checks.

Pure. `build_pack(trade_name, document)` makes the templates the shop submits to Meta once, each
naming the supplier (trade name in the body, trade name + CNPJ/CPF in the footer, COMPLIANCE.md
§1.2) and offering "Parar mensagens" (COMPLIANCE.md §3). Their placeholders follow
`domain.templates.values_for` for their purpose, so the régua and the inbox fill them without
knowing the template. `check_spec` applies WHATSAPP_CLOUD_API.md §10.1 to a creation request (the
JSON `client.create_template` posts) and answers the problems in pt-BR, before Meta says them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cobrador_desktop.domain.content_lint import BLOCK, identifies_supplier, lint, reveals_debt
from cobrador_desktop.domain.documents import format_document, parse_document
from cobrador_desktop.domain.errors import InvalidDocument
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.regua import (
    AGREEMENT_INSTALLMENT,
    IDENTITY_CHECK,
    OVERDUE,
    REMINDER,
)
from cobrador_desktop.domain.templates import PLACEHOLDER, SURVEY_SCORES

CONTEXT = "TemplatePack"
#: the thank-you after a payment (`domain.templates.values_for`'s `payment_receipt`)
PAYMENT_RECEIPT = "payment_receipt"
LANGUAGE = "pt_BR"
NAME_RE = re.compile(r"^[a-z0-9_]{1,512}$")
BODY_MAX, HEADER_MAX, FOOTER_MAX, LABEL_MAX, BUTTONS_MAX = 1024, 60, 60, 25, 10
#: Meta refuses "too many variables for the length" (2388293) without saying the ratio: the pack
#: keeps at least this many words of fixed text per variable
WORDS_PER_VARIABLE = 3
STOP, PIX, PAID, NEGOTIATE, AGENT = ("Parar mensagens", "Quero o código PIX", "Já paguei",
                                     "Negociar", "Falar com atendente")
#: what the templates are for, as the screen names them (`purpose` column)
PURPOSE_LABELS: Mapping[str, str] = {
    IDENTITY_CHECK: QT_TRANSLATE_NOOP("TemplatePack", "Confirmação de identidade"),
    REMINDER: QT_TRANSLATE_NOOP("TemplatePack", "Lembrete de vencimento"),
    OVERDUE: QT_TRANSLATE_NOOP("TemplatePack", "Parcela em atraso"),
    AGREEMENT_INSTALLMENT: QT_TRANSLATE_NOOP("TemplatePack", "Parcela de acordo"),
    PAYMENT_RECEIPT: QT_TRANSLATE_NOOP("TemplatePack", "Pagamento recebido"),
}
#: what each `{{n}}` of a purpose stands for (`domain.templates.values_for`'s order)
VARIABLE_LABELS: Mapping[str, tuple[str, ...]] = {
    IDENTITY_CHECK: (QT_TRANSLATE_NOOP("TemplatePack", "Nome e inicial do sobrenome"),),
    REMINDER: (QT_TRANSLATE_NOOP("TemplatePack", "Nome"), QT_TRANSLATE_NOOP("TemplatePack", "Parcela"),
               QT_TRANSLATE_NOOP("TemplatePack", "Valor"),
               QT_TRANSLATE_NOOP("TemplatePack", "Vencimento")),
    OVERDUE: (QT_TRANSLATE_NOOP("TemplatePack", "Nome"), QT_TRANSLATE_NOOP("TemplatePack", "Parcela"),
              QT_TRANSLATE_NOOP("TemplatePack", "Vencimento"),
              QT_TRANSLATE_NOOP("TemplatePack", "Valor em aberto"),
              QT_TRANSLATE_NOOP("TemplatePack", "Composição do valor")),
    AGREEMENT_INSTALLMENT: (
        QT_TRANSLATE_NOOP("TemplatePack", "Nome"), QT_TRANSLATE_NOOP("TemplatePack", "Data do acordo"),
        QT_TRANSLATE_NOOP("TemplatePack", "Parcela"), QT_TRANSLATE_NOOP("TemplatePack", "Valor"),
        QT_TRANSLATE_NOOP("TemplatePack", "Vencimento")),
    PAYMENT_RECEIPT: (
        QT_TRANSLATE_NOOP("TemplatePack", "Nome"), QT_TRANSLATE_NOOP("TemplatePack", "Valor recebido"),
        QT_TRANSLATE_NOOP("TemplatePack", "Data do pagamento"),
        QT_TRANSLATE_NOOP("TemplatePack", "Parcela")),
}


@dataclass(frozen=True)
class PackTemplate:
    """One template of the pack, before the shop's identity is put in (`{loja}` in the body).

    Buttons are quick-reply labels; `URL:label` would be a URL button (the pack has none: a URL
    needs the shop's own payment page, §10.2).
    """

    name: str
    purpose: str
    body: str
    example: tuple[str, ...]
    buttons: tuple[str, ...]


@dataclass(frozen=True)
class PackEntry:
    """A pack template for one shop: its purpose and the creation request for Meta."""

    name: str
    purpose: str
    spec: dict[str, Any] = field(hash=False, compare=True)


@dataclass(frozen=True)
class SpecProblem:
    """Something Meta would refuse in a template (pt-BR source text, context `TemplatePack`)."""

    code: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def text(self) -> str:
        return self.message.format(**self.params)


#: the shipped pack (WHATSAPP_CLOUD_API.md §10.3, each with the opt-out button)
PACK: tuple[PackTemplate, ...] = (
    PackTemplate(
        "confirmacao_identidade_v1", IDENTITY_CHECK,
        "Olá! Aqui é da {loja}. Temos uma informação sobre o seu cadastro e, para proteger seus "
        "dados, precisamos confirmar: estamos falando com {{1}}? Toque em uma das opções abaixo.",
        ("Maria S.",), ("Sou eu", "Não sou eu", STOP)),
    PackTemplate(
        "lembrete_vencimento_v1", REMINDER,
        "Olá, {{1}}. Lembrete da {loja}: a parcela {{2}} da sua compra, no valor de {{3}}, vence "
        "em {{4}}. Se o pagamento já foi feito, desconsidere esta mensagem.",
        ("Ana", "2/6", "R$ 89,90", "15/06/2026"), (PIX, PAID, STOP)),
    PackTemplate(
        "vencimento_hoje_v1", REMINDER,
        "Olá, {{1}}. A parcela {{2}} do seu crediário na {loja}, no valor de {{3}}, vence hoje. "
        "Você pode pedir o código PIX pelo botão abaixo. Se já pagou, desconsidere.",
        ("Ana", "2/6", "R$ 89,90"), (PIX, PAID, STOP)),
    PackTemplate(
        "parcela_em_atraso_v1", OVERDUE,
        "Olá, {{1}}. A parcela {{2}} do seu crediário na {loja} venceu em {{3}} e continua em "
        "aberto. Valor atualizado: {{4}}, sendo {{5}}. Para combinar data ou forma de pagamento, "
        "responda esta mensagem.",
        ("Ana", "2/6", "15/06/2026", "R$ 154,50",
         "R$ 150,00 de valor original, R$ 3,00 de multa e R$ 1,50 de juros"),
        (PIX, NEGOTIATE, PAID, STOP)),
    PackTemplate(
        "lembrete_acordo_v1", AGREEMENT_INSTALLMENT,
        "Olá, {{1}}. Lembrete do acordo feito com a {loja} em {{2}}: a parcela {{3}} do acordo, no "
        "valor de {{4}}, vence em {{5}}. Em caso de dúvida, responda esta mensagem.",
        ("Ana", "10/06/2026", "1/3", "R$ 120,00", "10/07/2026"), (PIX, PAID, NEGOTIATE, STOP)),
    PackTemplate(
        "pagamento_recebido_v1", PAYMENT_RECEIPT,
        "Olá, {{1}}. A {loja} confirma o recebimento de {{2}} em {{3}}, referente à parcela {{4}}. "
        "Obrigado pelo pagamento! Guarde esta mensagem como comprovante.",
        ("Ana", "R$ 89,90", "15/06/2026", "2/6"), (AGENT, STOP)),
    PackTemplate(
        "pesquisa_satisfacao_v1", PAYMENT_RECEIPT,
        "Olá, {{1}}. A {loja} agradece o seu pagamento de {{2}}. Como foi a sua experiência para "
        "pagar? Toque em uma das opções abaixo.",
        ("Ana", "R$ 89,90"), (*SURVEY_SCORES.values(), STOP)),
)


def supplier_footer(trade_name: str, document: str, legal_name: str | None = None) -> str:
    """`Loja Exemplo - CNPJ 12.345.678/0001-95` (CPF for an individual supplier).

    With a `legal_name` other than the trade name, the footer names the legal name when it fits
    Meta's 60 characters: the body already says the trade name, and the first message showing a
    debt must identify the supplier by its legal name and CNPJ (COMPLIANCE.md §1.2, the send
    guard's CONTENT_NO_SUPPLIER_ID). A legal name too long for the footer leaves the trade name.
    """
    try:
        doc = parse_document(document)
    except InvalidDocument:
        shown = f"CNPJ {document.strip()}"
    else:
        shown = f"{doc.type.value.upper()} {format_document(doc)}"
    legal = (legal_name or "").strip()
    if legal and legal != trade_name.strip() and len(f"{legal} - {shown}") <= FOOTER_MAX:
        return f"{legal} - {shown}"
    return f"{trade_name.strip()} - {shown}"


def spec_for(template: PackTemplate, trade_name: str, document: str,
             legal_name: str | None = None) -> dict[str, Any]:
    """The creation request of one pack template for the shop (what Meta receives)."""
    buttons = [{"type": "QUICK_REPLY", "text": label} for label in template.buttons]
    return {
        "name": template.name, "language": LANGUAGE, "category": "UTILITY",
        "parameter_format": "POSITIONAL",
        "components": [
            {"type": "BODY", "text": template.body.replace("{loja}", trade_name.strip()),
             "example": {"body_text": [list(template.example)]}},
            {"type": "FOOTER", "text": supplier_footer(trade_name, document, legal_name)},
            {"type": "BUTTONS", "buttons": buttons},
        ]}


def build_pack(trade_name: str, document: str,
               legal_name: str | None = None) -> tuple[PackEntry, ...]:
    """The pack for the shop named `trade_name` with CNPJ (or CPF) `document` (and its
    `legal_name`, for the footer: `supplier_footer`)."""
    return tuple(PackEntry(t.name, t.purpose, spec_for(t, trade_name, document, legal_name))
                 for t in PACK)


# ---------------------------------------------------------------------------- §10.1 rules

def _problem(code: str, message: str, **params: Any) -> SpecProblem:
    return SpecProblem(code, message, params)


def _components(spec: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for component in spec.get("components") or ():
        if isinstance(component, Mapping):
            found.setdefault(str(component.get("type", "")).upper(), component)
    return found


def check_spec(spec: Mapping[str, Any], *, purpose: str | None = None,
               trade_name: str | None = None, document: str | None = None) -> list[SpecProblem]:
    """What Meta (§10.1) or the compliance rules would refuse in a template creation request.

    Args:
        spec: `{"name", "language", "category", "parameter_format", "components"}`.
        purpose: when known, an identity check is also checked for debt words (COMPLIANCE.md §3).
        trade_name / document: when known, the text must name the shop and show its CNPJ/CPF.
    """
    problems: list[SpecProblem] = []
    name = str(spec.get("name") or "")
    if not NAME_RE.match(name):
        problems.append(_problem("NAME", QT_TRANSLATE_NOOP(
            "TemplatePack", "O nome “{nome}” só pode ter letras minúsculas, números e _ (até 512)."),
            nome=name))
    if str(spec.get("category", "")).upper() not in ("UTILITY", "MARKETING", "AUTHENTICATION"):
        problems.append(_problem("CATEGORY", QT_TRANSLATE_NOOP(
            "TemplatePack", "Categoria inválida: use UTILITY para cobrança.")))
    if str(spec.get("parameter_format", "POSITIONAL")).upper() != "POSITIONAL":
        problems.append(_problem("FORMAT", QT_TRANSLATE_NOOP(
            "TemplatePack", "O aplicativo cria modelos com campos numerados ({{1}}, {{2}}…).")))
    parts = _components(spec)
    body = parts.get("BODY")
    text = str(body.get("text", "")) if body else ""
    if not text.strip():
        problems.append(_problem("BODY_MISSING", QT_TRANSLATE_NOOP(
            "TemplatePack", "O modelo precisa de um texto (corpo).")))
    else:
        problems += _check_body(text, body or {})
    problems += _check_header_footer(parts)
    problems += _check_buttons(parts.get("BUTTONS"), str(spec.get("category", "")).upper())
    whole = "\n".join(str(parts[k].get("text", "")) for k in ("HEADER", "BODY", "FOOTER")
                      if k in parts)
    for hit in lint(whole, free_text=False):
        if hit.severity == BLOCK:
            problems.append(_problem("LINT", QT_TRANSLATE_NOOP(
            "TemplatePack", "Texto proibido em mensagem de cobrança: “{trecho}” ({codigo})."),
                trecho=hit.excerpt, codigo=hit.code))
    if purpose == IDENTITY_CHECK and reveals_debt(PLACEHOLDER.sub("", text)):
        problems.append(_problem("IDENTITY_REVEALS", QT_TRANSLATE_NOOP(
            "TemplatePack", "A confirmação de identidade não pode falar de dívida, parcela, valor ou "
                     "pagamento.")))
    if trade_name is not None and document is not None \
            and not identifies_supplier(whole, [trade_name], document):
        problems.append(_problem("NO_SUPPLIER", QT_TRANSLATE_NOOP(
            "TemplatePack", "Falta a identificação da loja (nome e CNPJ) na mensagem.")))
    return problems


def _check_body(text: str, body: Mapping[str, Any]) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    if len(text) > BODY_MAX:
        problems.append(_problem("BODY_LONG", QT_TRANSLATE_NOOP(
            "TemplatePack", "O texto tem {n} caracteres; o limite é {limite}."),
            n=len(text), limite=BODY_MAX))
    if re.search(r"\{\{\s*[^\d\s}][^}]*\}\}", text):
        problems.append(_problem("NAMED", QT_TRANSLATE_NOOP(
            "TemplatePack", "Use só campos numerados ({{1}}, {{2}}…), sem nomes.")))
    numbers = [int(n) for n in PLACEHOLDER.findall(text)]
    distinct = sorted(set(numbers))
    if distinct != list(range(1, len(distinct) + 1)) or numbers != sorted(numbers):
        problems.append(_problem("ORDER", QT_TRANSLATE_NOOP(
            "TemplatePack", "Os campos devem seguir a ordem {{1}}, {{2}}, {{3}}… sem pular números.")))
    stripped = text.strip()
    if PLACEHOLDER.match(stripped) or re.search(r"\{\{\d+\}\}[.!?…]?$", stripped):
        problems.append(_problem("EDGE", QT_TRANSLATE_NOOP(
            "TemplatePack", "O texto não pode começar nem terminar com um campo.")))
    if re.search(r"\}\}[^\w{]*\{\{", text):
        problems.append(_problem("ADJACENT", QT_TRANSLATE_NOOP(
            "TemplatePack", "Dois campos não podem ficar lado a lado; ponha texto entre eles.")))
    fixed_words = len(re.findall(r"\w+", PLACEHOLDER.sub(" ", text)))
    if distinct and fixed_words < WORDS_PER_VARIABLE * len(distinct):
        problems.append(_problem("TOO_MANY_VARIABLES", QT_TRANSLATE_NOOP(
            "TemplatePack", "Campos demais para o tamanho do texto: escreva mais ou use menos campos.")))
    example = body.get("example")
    rows = example.get("body_text") if isinstance(example, Mapping) else None
    first = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], list) else None
    if distinct and (first is None or len(first) != len(distinct)
                     or not all(isinstance(v, str) and v.strip() for v in first)):
        problems.append(_problem("EXAMPLE", QT_TRANSLATE_NOOP(
            "TemplatePack", "Cada campo precisa de um exemplo ({n} exemplos)."), n=len(distinct)))
    return problems


def _check_header_footer(parts: Mapping[str, Mapping[str, Any]]) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    header = parts.get("HEADER")
    if header is not None and str(header.get("format", "TEXT")).upper() == "TEXT":
        text = str(header.get("text", ""))
        if len(text) > HEADER_MAX or len(PLACEHOLDER.findall(text)) > 1:
            problems.append(_problem("HEADER", QT_TRANSLATE_NOOP(
            "TemplatePack", "O cabeçalho tem até {limite} caracteres e no máximo um campo."),
                limite=HEADER_MAX))
    footer = parts.get("FOOTER")
    if footer is not None:
        text = str(footer.get("text", ""))
        if len(text) > FOOTER_MAX:
            problems.append(_problem("FOOTER_LONG", QT_TRANSLATE_NOOP(
            "TemplatePack", "O rodapé “{texto}” passa de {limite} caracteres: encurte o nome "
                         "fantasia."), texto=text, limite=FOOTER_MAX))
        if "{{" in text:
            problems.append(_problem("FOOTER_VARIABLE", QT_TRANSLATE_NOOP(
            "TemplatePack", "O rodapé não pode ter campos.")))
    return problems


def _check_buttons(component: Mapping[str, Any] | None, category: str) -> list[SpecProblem]:
    buttons: Sequence[Any] = component.get("buttons") or () if component else ()
    kinds = [str(b.get("type", "")).upper() for b in buttons if isinstance(b, Mapping)]
    labels = [str(b.get("text", "")) for b in buttons if isinstance(b, Mapping)]
    problems: list[SpecProblem] = []
    if len(buttons) > BUTTONS_MAX:
        problems.append(_problem("BUTTONS_MANY", QT_TRANSLATE_NOOP(
            "TemplatePack", "No máximo {limite} botões."), limite=BUTTONS_MAX))
    if kinds.count("URL") > 2 or kinds.count("PHONE_NUMBER") > 1:
        problems.append(_problem("BUTTONS_KIND", QT_TRANSLATE_NOOP(
            "TemplatePack", "No máximo dois botões de link e um de telefone.")))
    quick = [i for i, kind in enumerate(kinds) if kind == "QUICK_REPLY"]
    if quick and quick != list(range(quick[0], quick[-1] + 1)):
        problems.append(_problem("BUTTONS_GROUP", QT_TRANSLATE_NOOP(
            "TemplatePack", "As respostas rápidas devem ficar juntas, sem outro botão no meio.")))
    for label in labels:
        if not label.strip() or len(label) > LABEL_MAX:
            problems.append(_problem("LABEL", QT_TRANSLATE_NOOP(
            "TemplatePack", "O botão “{texto}” precisa ter de 1 a {limite} caracteres."),
                texto=label, limite=LABEL_MAX))
    if len(set(labels)) != len(labels):
        problems.append(_problem("LABEL_TWICE", QT_TRANSLATE_NOOP(
            "TemplatePack", "Dois botões com o mesmo texto.")))
    for button in buttons:
        url = str(button.get("url", "")) if isinstance(button, Mapping) else ""
        if "{{" in url and not re.search(r"\{\{1\}\}$", url):
            problems.append(_problem("URL_VARIABLE", QT_TRANSLATE_NOOP(
            "TemplatePack", "No link do botão, o campo só pode ficar no fim.")))
    if category in ("UTILITY", "MARKETING") and STOP not in labels:
        problems.append(_problem("NO_OPT_OUT", QT_TRANSLATE_NOOP(
            "TemplatePack", "Falta o botão “{botao}”: toda mensagem iniciada pela loja oferece parar."),
            botao=STOP))
    return problems
