"""A debtor's dossier as a PDF (issue 9): the document a shop hands to Procon, a court or its
lawyer, laid out from `domain.dossier.Dossier` with `ui.pdf`.

What is masked (COMPLIANCE.md §4.2, §4.6): the CPF as lists show it (`***.456.789-**`; a CNPJ
stays whole), every phone number with only its area code and last four digits (`(11) *****-4321`),
enough to tell the numbers apart and match them against the person's own phone; the street address
and the e-mail are left out (the city and state stay). Message texts are quoted as they were:
they are the evidence. Every instant is shown with its date and time in the shop's zone.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from cobrador_desktop.domain.dossier import ConsentEvidence, DeliveryEvent, Dossier, DossierMessage
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.records import AgreementRecord
from cobrador_desktop.domain.roles import AuditRow
from cobrador_desktop.domain.settings import ShopDetails
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.pdf import HtmlDoc, write_pdf
from cobrador_desktop.ui.viewmodels import debtor_detail_text as words
from cobrador_desktop.ui.viewmodels.audit_vm import action_label, object_text, reason_text

__all__ = ["build_dossier", "save_dossier"]

#: lupdate collects `translate("DossierPdf", "literal")` calls by this name
translate = QCoreApplication.translate

#: the identity check's states (`debtor_phones.cpc_status`)
_CPC = {
    "unverified": QT_TRANSLATE_NOOP("DossierPdf", "não verificada"),
    "pending": QT_TRANSLATE_NOOP("DossierPdf", "aguardando resposta"),
    "confirmed": QT_TRANSLATE_NOOP("DossierPdf", "confirmada"),
    "denied": QT_TRANSLATE_NOOP("DossierPdf", "negada"),
}


def save_dossier(path: Path, dossier: Dossier) -> None:
    """Write `dossier` to `path` as an A4 PDF (whole or not at all).

    Raises:
        ExportFailed: the file could not be written.
    """
    write_pdf(path, build_dossier(dossier))


def build_dossier(dossier: Dossier) -> HtmlDoc:
    """The dossier's document: header, shop, debtor, numbers and consent, debts, payments,
    promises and agreements, notes, messages, audit trail."""
    debtor = dossier.debtor
    doc = HtmlDoc(translate("DossierPdf", "Dossiê de cobrança — {name}").format(
        name=debtor.name))
    doc.fields([
        (translate("DossierPdf", "Credora"), _shop_line(dossier.shop)),
        (translate("DossierPdf", "Devedor"), translate("DossierPdf", "{name} · CPF/CNPJ {document}"
                                                       ).format(name=debtor.name,
                                                                document=_document(dossier))),
        (translate("DossierPdf", "Gerado em"), translate("DossierPdf", "{when} por {who}").format(
            when=_when(dossier, dossier.generated_at), who=_who(dossier.generated_by))),
    ])
    doc.paragraph(translate(
        "DossierPdf", "Datas e horas no fuso da loja ({zone}). Documento gerado pelo Cobrador "
        "Desktop a partir dos registros do programa.").format(zone=str(dossier.zone)), muted=True)
    if dossier.anonymised:
        doc.paragraph(translate(
            "DossierPdf", "Titular anonimizado em {when} (LGPD): nome, CPF, telefones, endereço "
            "e textos das mensagens foram apagados; valores, datas e situações permanecem para a "
            "contabilidade da loja.").format(when=_when(dossier, debtor.anonymised_at)))
    _shop(doc, dossier.shop)
    _debtor(doc, dossier)
    _consent(doc, dossier)
    _debts(doc, dossier)
    _promises_and_agreements(doc, dossier)
    _notes(doc, dossier)
    _messages(doc, dossier)
    _audit(doc, dossier)
    return doc


# --------------------------------------------------------------------------- header, identities


def _shop_line(shop: ShopDetails | None) -> str:
    if shop is None:
        return translate("DossierPdf", "identificação da loja não cadastrada")
    return translate("DossierPdf", "{legal} ({trade}) · CNPJ {document}").format(
        legal=shop.legal_name, trade=shop.trade_name, document=_shop_document(shop))


def _document(dossier: Dossier) -> str:
    """The debtor's CPF masked (`***.456.789-**`), a CNPJ whole; "—" when none."""
    return fmt.format_document(dossier.debtor.document) or "—"


def _shop_document(shop: ShopDetails) -> str:
    # the shop's own CNPJ is public and must be shown (CDC art. 42-A): `masked_for_list` keeps a
    # CNPJ whole
    return fmt.format_document(shop.document) or shop.document


def _shop(doc: HtmlDoc, shop: ShopDetails | None) -> None:
    doc.heading(translate("DossierPdf", "1. Loja (credora)"))
    if shop is None:
        doc.paragraph(translate("DossierPdf", "A loja ainda não cadastrou sua identificação "
                                "(Configurações › Loja)."), muted=True)
        return
    doc.fields([
        (translate("DossierPdf", "Razão social"), shop.legal_name),
        (translate("DossierPdf", "Nome fantasia"), shop.trade_name),
        (translate("DossierPdf", "CNPJ"), _shop_document(shop)),
        (translate("DossierPdf", "Endereço"), shop.address + (f" – {shop.uf}" if shop.uf else "")),
        (translate("DossierPdf", "WhatsApp da loja"),
         fmt.format_phone(shop.phone) if shop.phone else "—"),
    ])


def _debtor(doc: HtmlDoc, dossier: Dossier) -> None:
    d = dossier.debtor
    doc.heading(translate("DossierPdf", "2. Devedor"))
    place = " – ".join(p for p in (d.city, d.uf) if p)
    state = [text for text, _tone in words.debtor_badges(d)]
    doc.fields([
        (translate("DossierPdf", "Nome"), d.name),
        (translate("DossierPdf", "CPF/CNPJ"), _document(dossier)),
        (translate("DossierPdf", "Cidade"), place or "—"),
        (translate("DossierPdf", "Cadastrado em"), _when(dossier, d.created_at)),
        (translate("DossierPdf", "Situação"), ", ".join(state) or "—"),
        (translate("DossierPdf", "Em aberto"), fmt.format_brl(d.balance_cents)),
    ])
    doc.paragraph(translate(
        "DossierPdf", "Dados pessoais mascarados (LGPD): o CPF mostra só os dígitos do meio e "
        "cada telefone só o DDD e os quatro últimos dígitos; endereço e e-mail não constam."),
        muted=True)


def _consent(doc: HtmlDoc, dossier: Dossier) -> None:
    doc.heading(translate("DossierPdf", "3. Telefones, autorização e descadastro"))
    doc.table(
        [translate("DossierPdf", "Telefone"), translate("DossierPdf", "Autorização (opt-in)"),
         translate("DossierPdf", "Descadastro (opt-out)"),
         translate("DossierPdf", "Identidade e engano")],
        [_consent_row(dossier, c) for c in dossier.consent],
        empty=translate("DossierPdf", "Nenhum telefone cadastrado."), widths=[19, 29, 29, 23])


def _consent_row(dossier: Dossier, c: ConsentEvidence) -> tuple[str, ...]:
    role = (translate("DossierPdf", "referência (nunca recebe mensagens)")
            if c.role == "reference" else translate("DossierPdf", "do devedor"))
    phone = "\n".join(p for p in (_phone(c.e164), role, c.label or "") if p)
    if c.opt_in_source:
        opt_in = translate("DossierPdf", "{source}, em {when}").format(
            source=c.opt_in_source, when=_when(dossier, c.opt_in_at))
        if c.opt_in_wording:
            opt_in += "\n" + translate("DossierPdf", "Texto: “{text}”").format(
                text=c.opt_in_wording)
        opt_in += "\n" + translate("DossierPdf", "Registrado por: {who}").format(
            who=c.opt_in_recorded_by or translate("DossierPdf", "o próprio titular"))
    else:
        opt_in = translate("DossierPdf", "Sem autorização registrada")
    if c.opted_out:
        opt_out = translate("DossierPdf", "Pediu para não receber em {when}\nOrigem: {source}"
                            ).format(when=_when(dossier, c.opted_out_at),
                                     source=c.opt_out_source or "—")
        if c.opt_out_request is not None:
            opt_out += "\n" + translate("DossierPdf", "Mensagem: “{text}” ({when})").format(
                text=c.opt_out_request.text, when=_when(dossier, c.opt_out_request.at))
    else:
        opt_out = translate("DossierPdf", "Não pediu")
    if c.suppressed:
        opt_out += "\n" + translate("DossierPdf", "Bloqueado: {source}").format(
            source=c.suppression_source or "—")
    identity = translate("DossierPdf", "Identidade: {state}").format(
        state=translate("DossierPdf", _CPC.get(c.cpc_status, c.cpc_status)))
    if c.cpc_at is not None:
        identity += f" ({_when(dossier, c.cpc_at)})"
    if c.wrong_party:
        identity += "\n" + translate(
            "DossierPdf", "Marcado “não sou eu” em {when}").format(
            when=_when(dossier, c.wrong_party_at))
    return phone, opt_in, opt_out, identity


# --------------------------------------------------------------------------- money


def _debts(doc: HtmlDoc, dossier: Dossier) -> None:
    debts = dossier.debtor.debts
    doc.heading(translate("DossierPdf", "4. Dívidas"))
    doc.table(
        [translate("DossierPdf", "Nº"), translate("DossierPdf", "Descrição"),
         translate("DossierPdf", "Parcela"), translate("DossierPdf", "Vencimento"),
         translate("DossierPdf", "Valor"), translate("DossierPdf", "Pago"),
         translate("DossierPdf", "Saldo"), translate("DossierPdf", "Situação")],
        [(d.id, d.description, words.installment_text(d), fmt.format_date(d.due_date),
          fmt.format_brl(d.amount_cents), fmt.format_brl(d.paid_cents),
          fmt.format_brl(d.balance_cents), words.label(words.DEBT_STATUS_LABELS, d.status))
         for d in debts],
        empty=translate("DossierPdf", "Nenhuma dívida."), widths=[5, 22, 9, 14, 13, 12, 12, 13])
    doc.heading(translate("DossierPdf", "5. Pagamentos"))
    doc.table(
        [translate("DossierPdf", "Data"), translate("DossierPdf", "Dívida nº"),
         translate("DossierPdf", "Valor"), translate("DossierPdf", "Forma"),
         translate("DossierPdf", "Registrado por"), translate("DossierPdf", "Registrado em"),
         translate("DossierPdf", "Observação")],
        [(fmt.format_date(p.paid_on), p.debt_id, fmt.format_brl(p.amount_cents),
          words.label(words.METHOD_LABELS, p.method), _who(p.recorded_by_name),
          _when(dossier, p.created_at), p.note or "")
         for d in debts for p in d.payments],
        empty=translate("DossierPdf", "Nenhum pagamento registrado."),
        widths=[13, 9, 12, 10, 17, 15, 24])


def _promises_and_agreements(doc: HtmlDoc, dossier: Dossier) -> None:
    d = dossier.debtor
    doc.heading(translate("DossierPdf", "6. Acordos e promessas de pagamento"))
    doc.table(
        [translate("DossierPdf", "Acordo"), translate("DossierPdf", "Feito em"),
         translate("DossierPdf", "Dívidas renegociadas"), translate("DossierPdf", "Condições"),
         translate("DossierPdf", "Situação")],
        [(translate("DossierPdf", "nº {id}").format(id=a.id), _by(dossier, a.created_at,
                                                                   a.created_by_name),
          ", ".join(f"nº {i}" for i in a.original_debt_ids), _terms(a),
          _ended(dossier, words.label(words.AGREEMENT_STATUS_LABELS, a.status), a.ended_at))
         for a in d.agreements],
        empty=translate("DossierPdf", "Nenhum acordo."), widths=[9, 22, 17, 34, 18])
    doc.table(
        [translate("DossierPdf", "Promessa feita em"), translate("DossierPdf", "Canal"),
         translate("DossierPdf", "Valor"), translate("DossierPdf", "Para"),
         translate("DossierPdf", "Situação"), translate("DossierPdf", "Observação")],
        [(_by(dossier, p.created_at, p.created_by_name),
          words.label(words.CHANNEL_LABELS, p.channel) or "—", fmt.format_brl(p.amount_cents),
          fmt.format_date(p.due_date),
          _ended(dossier, words.label(words.PROMISE_STATUS_LABELS, p.status), p.resolved_at),
          p.note or "") for p in d.promises],
        empty=translate("DossierPdf", "Nenhuma promessa de pagamento."),
        widths=[20, 13, 12, 13, 17, 25])


def _terms(a: AgreementRecord) -> str:
    lines = [translate("DossierPdf", "Total {total} em {n} parcela(s)").format(
        total=fmt.format_brl(a.total_cents), n=a.installments)]
    if a.down_payment_cents:
        lines.append(translate("DossierPdf", "Entrada {amount}").format(
            amount=fmt.format_brl(a.down_payment_cents)))
    lines.append(translate("DossierPdf", "1º vencimento {date}").format(
        date=fmt.format_date(a.first_due)))
    lines.append(translate("DossierPdf", "Principal {principal}, multa {fine}, juros {interest}, "
                           "desconto {discount}").format(
        principal=fmt.format_brl(a.principal_cents), fine=fmt.format_brl(a.fine_cents),
        interest=fmt.format_brl(a.interest_cents), discount=fmt.format_brl(a.discount_cents)))
    return "\n".join(lines)


def _notes(doc: HtmlDoc, dossier: Dossier) -> None:
    doc.heading(translate("DossierPdf", "7. Notas"))
    doc.table(
        [translate("DossierPdf", "Data e hora"), translate("DossierPdf", "Autor"),
         translate("DossierPdf", "Nota")],
        [(_when(dossier, n.at) if n.at else "—", n.author or "—", n.text)
         for n in dossier.debtor.notes],
        empty=translate("DossierPdf", "Nenhuma nota."), widths=[16, 18, 66])


# --------------------------------------------------------------------------- messages, audit


def _messages(doc: HtmlDoc, dossier: Dossier) -> None:
    doc.heading(translate("DossierPdf", "8. Mensagens ({count})").format(
        count=fmt.format_count(len(dossier.messages))))
    if dossier.anonymised:
        doc.paragraph(translate(
            "DossierPdf", "As conversas do titular anonimizado foram desligadas dele e os textos "
            "apagados; as mensagens não constam."), muted=True)
        return
    doc.paragraph(translate(
        "DossierPdf", "Todas as mensagens de todas as conversas do devedor, em ordem de horário, "
        "com a situação de entrega informada pelo WhatsApp."), muted=True)
    doc.table(
        [translate("DossierPdf", "Data e hora"), translate("DossierPdf", "De / para"),
         translate("DossierPdf", "Mensagem"), translate("DossierPdf", "Entrega")],
        (_message_row(dossier, m) for m in dossier.messages),
        empty=translate("DossierPdf", "Nenhuma mensagem trocada."), widths=[13, 21, 40, 26])


def _message_row(dossier: Dossier, m: DossierMessage) -> tuple[str, str, str, str]:
    phone = _phone(m.phone)
    if m.direction == "in":
        who = translate("DossierPdf", "Recebida do devedor\n{phone}").format(phone=phone)
    else:
        who = (translate("DossierPdf", "Enviada por {who}").format(who=m.operator)
               if m.operator else translate("DossierPdf", "Enviada automaticamente"))
        who += "\n" + translate("DossierPdf", "para {phone}").format(phone=phone)
    text = m.text or translate("DossierPdf", "({type}, sem texto)").format(type=m.type)
    if m.template_name:
        text = translate("DossierPdf", "Modelo {name}:").format(name=m.template_name) + "\n" + text
    return _when(dossier, m.at), who, text, _delivery(dossier, m)


def _delivery(dossier: Dossier, m: DossierMessage) -> str:
    status = words.label(words.MESSAGE_STATUS_LABELS, m.status)
    lines = [status[:1].upper() + status[1:]]
    lines += [_event(dossier, e) for e in m.events]
    if not m.events and m.status_at is not None and m.direction == "out":
        lines.append(translate("DossierPdf", "em {when}").format(when=_when(dossier, m.status_at)))
    if m.status == "failed" and m.error_code is not None and not any(
            e.error_code is not None for e in m.events):
        lines.append(translate("DossierPdf", "Erro {code}: {detail}").format(
            code=m.error_code, detail=m.error_detail or "—"))
    return "\n".join(lines)


def _event(dossier: Dossier, e: DeliveryEvent) -> str:
    line = f"{words.label(words.MESSAGE_STATUS_LABELS, e.status)} {_when(dossier, e.at)}"
    if e.error_code is not None or e.error_title:
        detail = " – ".join(x for x in (e.error_title, e.error_details) if x)
        line += "\n" + translate("DossierPdf", "Erro {code}: {detail}").format(
            code=e.error_code if e.error_code is not None else "?", detail=detail or "—")
    return line


def _audit(doc: HtmlDoc, dossier: Dossier) -> None:
    doc.heading(translate("DossierPdf", "9. Registro de auditoria ({count})").format(
        count=fmt.format_count(len(dossier.audit))))
    doc.paragraph(translate(
        "DossierPdf", "Quem fez o quê sobre este devedor, seus telefones e conversas, tirado do "
        "registro encadeado do programa (nenhuma linha pode ser mudada sem quebrar a cadeia)."),
        muted=True)
    doc.table(
        [translate("DossierPdf", "Data e hora"), translate("DossierPdf", "Quem"),
         translate("DossierPdf", "O quê"), translate("DossierPdf", "Sobre"),
         translate("DossierPdf", "Detalhes")],
        (_audit_row(dossier, row) for row in dossier.audit),
        empty=translate("DossierPdf", "Nenhum registro."), widths=[13, 15, 22, 11, 39])


def _audit_row(dossier: Dossier, row: AuditRow) -> tuple[str, str, str, str, str]:
    return (_when(dossier, row.at), _who(row.who), action_label(row.action),
            object_text(row, {}), reason_text(row) or _details(row.details))


def _details(details: dict[str, object]) -> str:
    shown = [f"{key}: {value}" for key, value in sorted(details.items())
             if value not in (None, "", [], {}) and not isinstance(value, dict)
             and not (isinstance(value, list) and any(isinstance(v, dict) for v in value))]
    text = "; ".join(shown)
    return text if len(text) <= 240 else text[:239] + "…"


# --------------------------------------------------------------------------- small words


def _when(dossier: Dossier, at: datetime | None) -> str:
    return fmt.format_datetime(at, dossier.zone) if at is not None else "—"


def _phone(e164: str) -> str:
    """`(11) *****-4321`, kept on one line."""
    return fmt.format_phone_masked(e164).replace(" ", "\u00a0")


def _who(name: str | None) -> str:
    return name or translate("DossierPdf", "sistema")


def _by(dossier: Dossier, at: datetime | None, name: str | None) -> str:
    return f"{_when(dossier, at)}\n{_who(name)}"


def _ended(dossier: Dossier, status: str, at: datetime | None) -> str:
    return f"{status}\n{_when(dossier, at)}" if at is not None else status
