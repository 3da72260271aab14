"""The send guard's words: the pt-BR message of every reason code (COMPLIANCE.md §2.8) and labels.

Codes are stable identifiers stored in the outbox and the audit log: never renamed, only added.
Messages are source text under the Qt context `SendGuard`; `{params}` are filled when shown.
"""

from __future__ import annotations

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP

CONTEXT = "SendGuard"

#: pt-BR text of each code, `{params}` filled at display (COMPLIANCE.md §2.8, in its order)
MESSAGES: dict[str, str] = {
    # person
    "PHONE_REFERENCE_CONTACT": QT_TRANSLATE_NOOP(
        "SendGuard", "Este número é de um contato de referência (terceiro). A cobrança só pode ser "
        "feita ao próprio devedor."),
    "PHONE_WRONG_PARTY": QT_TRANSLATE_NOOP(
        "SendGuard", "Este número foi marcado como \"não é o devedor\" em {data}. Não envie "
        "mensagens para ele."),
    "PHONE_OPTED_OUT": QT_TRANSLATE_NOOP(
        "SendGuard", "O titular deste número pediu para não receber mensagens em {data}."),
    "PHONE_SUPPRESSED": QT_TRANSLATE_NOOP(
        "SendGuard", "Número na lista de não contatar ({origem})."),
    "OPTIN_MISSING": QT_TRANSLATE_NOOP(
        "SendGuard", "Não há registro de autorização (opt-in) para mensagens da loja neste número. "
        "Registre a origem da autorização."),
    "PHONE_SHARED": QT_TRANSLATE_NOOP(
        "SendGuard", "Este número também está cadastrado para outra pessoa. Confirme a identidade "
        "antes de falar da dívida."),
    "CPC_NOT_CONFIRMED": QT_TRANSLATE_NOOP(
        "SendGuard", "Identidade ainda não confirmada neste número. Envie só a mensagem de "
        "confirmação, sem detalhes da dívida."),
    # debt
    "DEBT_PAID": QT_TRANSLATE_NOOP(
        "SendGuard", "Esta dívida foi quitada em {data}. Cobrança bloqueada."),
    "DEBT_CANCELLED": QT_TRANSLATE_NOOP(
        "SendGuard", "Esta dívida foi cancelada em {data}. Cobrança bloqueada."),
    "DEBT_DISPUTED": QT_TRANSLATE_NOOP(
        "SendGuard", "O devedor contestou esta dívida em {data}. Resolva a contestação antes de "
        "cobrar."),
    "DEBT_PAYMENT_CLAIMED": QT_TRANSLATE_NOOP(
        "SendGuard", "O devedor informou pagamento em {data}. Confira o extrato antes de cobrar de "
        "novo."),
    "DEBT_UNDER_AGREEMENT": QT_TRANSLATE_NOOP(
        "SendGuard", "Dívida em acordo desde {data}: só são enviados os lembretes das parcelas do "
        "acordo."),
    "DEBT_PROMISE_PENDING": QT_TRANSLATE_NOOP(
        "SendGuard", "Há promessa de pagamento para {data}. Lembretes automáticos suspensos até lá."),
    "DEBT_OLD_NEEDS_OWNER": QT_TRANSLATE_NOOP(
        "SendGuard", "Dívida vencida há mais de {anos} anos (possível prescrição). Só o proprietário "
        "pode autorizar a cobrança."),
    # content
    "CONTENT_NO_SUPPLIER_ID": QT_TRANSLATE_NOOP(
        "SendGuard", "Falta a identificação da loja (nome e CNPJ) na mensagem."),
    "CONTENT_NOT_ITEMISED": QT_TRANSLATE_NOOP(
        "SendGuard", "O valor inclui multa, juros ou taxas sem discriminar cada item."),
    "CONTENT_AMOUNT_MISMATCH": QT_TRANSLATE_NOOP(
        "SendGuard", "O valor digitado ({valor}) é diferente do saldo em aberto ({saldo})."),
    "LINT_THREAT": QT_TRANSLATE_NOOP(
        "SendGuard", "A mensagem contém ameaça (\"{trecho}\"). Reescreva sem ameaças (CDC, arts. 42 "
        "e 71)."),
    "LINT_EXPOSURE": QT_TRANSLATE_NOOP(
        "SendGuard", "A mensagem sugere expor a dívida a outras pessoas (\"{trecho}\")."),
    "LINT_INSULT": QT_TRANSLATE_NOOP(
        "SendGuard", "A mensagem contém ofensa (\"{trecho}\")."),
    "LINT_FALSE_LEGAL": QT_TRANSLATE_NOOP(
        "SendGuard", "Afirmação jurídica falsa ou enganosa (\"{trecho}\")."),
    "LINT_LEGAL_CONSEQUENCE": QT_TRANSLATE_NOOP(
        "SendGuard", "Menção a negativação, protesto ou ação judicial: use o modelo aprovado pelo "
        "proprietário, com informação verdadeira."),
    "LINT_SHOUTING": QT_TRANSLATE_NOOP(
        "SendGuard", "Texto em caixa alta ou com excesso de exclamações. Prefira um tom neutro."),
    # time
    "HOURS_OUTSIDE_WINDOW": QT_TRANSLATE_NOOP(
        "SendGuard", "Fora do horário permitido para cobrança ({janela}, horário local do devedor). "
        "Próximo horário: {proximo}."),
    "HOURS_DAY_NOT_ALLOWED": QT_TRANSLATE_NOOP(
        "SendGuard", "Não enviamos cobranças {dia}. Próximo horário: {proximo}."),
    "HOURS_HOLIDAY": QT_TRANSLATE_NOOP(
        "SendGuard", "Hoje é feriado em {local} ({feriado}). Próximo horário: {proximo}."),
    # frequency
    "FREQ_DAILY_CAP": QT_TRANSLATE_NOOP(
        "SendGuard", "Este devedor já recebeu {n} mensagem(ns) de cobrança hoje (limite: {limite})."),
    "FREQ_WEEKLY_CAP": QT_TRANSLATE_NOOP(
        "SendGuard", "Limite de {limite} mensagens em 7 dias atingido para este devedor."),
    "FREQ_MIN_GAP": QT_TRANSLATE_NOOP(
        "SendGuard", "A última mensagem foi há menos de {horas} horas."),
    "FREQ_DUPLICATE": QT_TRANSLATE_NOOP(
        "SendGuard", "Mensagem idêntica já enviada para este número nas últimas 24 horas."),
    "FREQ_STEP_ALREADY_SENT": QT_TRANSLATE_NOOP(
        "SendGuard", "Esta etapa da régua já foi enviada para esta parcela em {data}."),
    "FREQ_CONVERSATION_ACTIVE": QT_TRANSLATE_NOOP(
        "SendGuard", "O devedor respondeu e aguarda um atendente. Lembretes automáticos pausados."),
    # WhatsApp
    "WA_TEMPLATE_REQUIRED": QT_TRANSLATE_NOOP(
        "SendGuard", "A janela de 24 horas está fechada. Use um modelo aprovado."),
    "WA_TEMPLATE_UNAVAILABLE": QT_TRANSLATE_NOOP(
        "SendGuard", "O modelo {nome} está {status} na Meta e não pode ser usado."),
    "WA_TEMPLATE_MARKETING": QT_TRANSLATE_NOOP(
        "SendGuard", "A Meta classificou o modelo {nome} como marketing: custo maior e entrega "
        "limitada."),
    "WA_QUALITY_LOW": QT_TRANSLATE_NOOP(
        "SendGuard", "A qualidade do número ou do modelo caiu ({nivel}). Envios em massa pausados."),
    # added by the guard itself (not in §2.8): a fact the calling service did not gather
    "FACTS_MISSING": QT_TRANSLATE_NOOP(
        "SendGuard", "Não foi possível verificar esta mensagem: faltam dados ({fatos}). Nada foi "
        "enviado; tente de novo e, se continuar, avise o suporte."),
}

#: shown for a date the records do not have (old rows flagged before dates were kept)
UNKNOWN_DATE = QT_TRANSLATE_NOOP("SendGuard", "data não registrada")
UNKNOWN_SOURCE = QT_TRANSLATE_NOOP("SendGuard", "origem não informada")

#: `{dia}` of HOURS_DAY_NOT_ALLOWED, by ISO weekday
DAY_PHRASES: dict[int, str] = {
    6: QT_TRANSLATE_NOOP("SendGuard", "aos sábados"),
    7: QT_TRANSLATE_NOOP("SendGuard", "aos domingos"),
}
#: `{janela}` of HOURS_OUTSIDE_WINDOW: start and end, local time
WINDOW_PHRASE = QT_TRANSLATE_NOOP("SendGuard", "das {inicio} às {fim}")
#: `{local}` of HOURS_HOLIDAY for a national or optional day
WHOLE_COUNTRY = QT_TRANSLATE_NOOP("SendGuard", "todo o Brasil")

#: `{status}` of WA_TEMPLATE_UNAVAILABLE, by Meta's template status
TEMPLATE_STATUS: dict[str, str] = {
    "PENDING": QT_TRANSLATE_NOOP("SendGuard", "em análise"),
    "REJECTED": QT_TRANSLATE_NOOP("SendGuard", "rejeitado"),
    "PAUSED": QT_TRANSLATE_NOOP("SendGuard", "pausado"),
    "DISABLED": QT_TRANSLATE_NOOP("SendGuard", "desativado"),
    "IN_APPEAL": QT_TRANSLATE_NOOP("SendGuard", "em recurso"),
    "PENDING_DELETION": QT_TRANSLATE_NOOP("SendGuard", "em exclusão"),
    "DELETED": QT_TRANSLATE_NOOP("SendGuard", "excluído"),
    "LIMIT_EXCEEDED": QT_TRANSLATE_NOOP("SendGuard", "acima do limite"),
}
#: `{nivel}` of WA_QUALITY_LOW, by Meta's quality rating
QUALITY_LEVEL: dict[str, str] = {
    "YELLOW": QT_TRANSLATE_NOOP("SendGuard", "amarela"),
    "RED": QT_TRANSLATE_NOOP("SendGuard", "vermelha"),
}

#: `{fatos}` of FACTS_MISSING: what the calling service did not gather
FACT_LABELS: dict[str, str] = {
    "debt": QT_TRANSLATE_NOOP("SendGuard", "situação da dívida"),
    "history": QT_TRANSLATE_NOOP("SendGuard", "mensagens enviadas recentemente"),
    "shop": QT_TRANSLATE_NOOP("SendGuard", "identificação da loja"),
    "template": QT_TRANSLATE_NOOP("SendGuard", "situação do modelo na Meta"),
    "number_quality": QT_TRANSLATE_NOOP("SendGuard", "qualidade do número na Meta"),
}
