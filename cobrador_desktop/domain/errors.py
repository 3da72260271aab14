"""The `KnownError` family: problems the user or the environment can fix.

Each error carries a pt-BR message and what to do next, both as translatable source text with
`{placeholders}` filled from `params`. Bugs are *not* `KnownError`s: they reach the crash dialog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP

CONTEXT = "KnownError"
#: the `backup` parameter's value when there is no backup to offer
NO_BACKUP = "nenhuma"


class KnownError(Exception):
    """An error with a message in Portuguese and the next step for the user."""

    context: ClassVar[str] = CONTEXT
    message_template: ClassVar[str] = QT_TRANSLATE_NOOP("KnownError", "Ocorreu um problema.")
    hint_template: ClassVar[str] = ""
    #: exit status for the command line (INTERFACES.md §1: 2 = bad usage or unreadable input)
    exit_code: ClassVar[int] = 1

    def __init__(self, *, message: str | None = None, hint: str | None = None,
                 **params: Any) -> None:
        self._message = message if message is not None else self.message_template
        self._hint = hint if hint is not None else self._default_hint(params)
        self.params: Mapping[str, Any] = params
        super().__init__(self.message)

    @classmethod
    def _default_hint(cls, params: Mapping[str, Any]) -> str:
        """The hint when none is given; subclasses pick among texts by the parameters."""
        del params
        return cls.hint_template

    @property
    def message_source(self) -> str:
        """Untranslated message template (for `QCoreApplication.translate`)."""
        return self._message

    @property
    def hint_source(self) -> str:
        """Untranslated hint template."""
        return self._hint

    @property
    def message(self) -> str:
        return _fill(self._message, self.params)

    @property
    def hint(self) -> str:
        return _fill(self._hint, self.params)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


def _fill(template: str, params: Mapping[str, Any]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


class InvalidInput(KnownError):
    """Something the user typed or a file holds cannot be read."""

    exit_code = 2
    message_template = QT_TRANSLATE_NOOP("KnownError", "Valor inválido: {value}.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Confira o valor e tente de novo.")


class InvalidAmount(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Valor em reais inválido: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escreva o valor como 1.234,56 ou 1234,56 (sem letras).")


class InvalidPhone(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Telefone inválido: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Informe o DDD e o número, por exemplo (11) 98765-4321.")


class InvalidDocument(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "CPF/CNPJ inválido: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Confira os dígitos: o número não passa na verificação da Receita Federal.")


class InvalidDate(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Data inválida: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Use o formato dd/mm/aaaa, por exemplo 05/10/2026.")


class DataDirNotWritable(KnownError):
    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Não é possível gravar na pasta de dados {path}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Verifique as permissões da pasta ou escolha outra com --data-dir "
        "(ou a variável COBRADOR_DATA_DIR).")


class DatabaseCorrupt(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O banco de dados {path} está danificado ou não é um banco do Cobrador Desktop.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "O arquivo não foi alterado. Restaure a cópia de segurança mais recente ({backup}) "
        "ou procure o suporte.")
    no_backup_hint = QT_TRANSLATE_NOOP(
        "KnownError",
        "O arquivo não foi alterado. Não há cópia de segurança nesta pasta de dados: procure o "
        "suporte com este arquivo antes de apagá-lo.")

    @classmethod
    def _default_hint(cls, params: Mapping[str, Any]) -> str:
        return cls.no_backup_hint if params.get("backup", NO_BACKUP) == NO_BACKUP \
            else cls.hint_template


class DatabaseTooNew(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "O banco de dados foi criado por uma versão mais nova do Cobrador Desktop "
        "(esquema {found}; esta versão conhece até {known}).")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Instale a versão mais recente do programa. Nada foi alterado no banco.")


class DatabaseUnavailable(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Não foi possível conectar ao banco de dados: {detail}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Confira o endereço (--database-url), se o servidor está ligado e a rede, "
        "e tente de novo.")


class InvalidDatabaseUrl(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Endereço de banco de dados inválido ou não suportado: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Use sqlite:///caminho/para/cobrador.db ou "
        "postgresql+psycopg://usuario:senha@servidor/banco (--database-url ou "
        "COBRADOR_DATABASE_URL).")


class MigrationFailed(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A atualização do banco de dados falhou: {detail}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "O banco ficou como estava antes. Uma cópia de segurança foi salva em {backup}; "
        "procure o suporte com o arquivo de registro.")
    no_backup_hint = QT_TRANSLATE_NOOP(
        "KnownError",
        "O banco ficou como estava antes. Procure o suporte com o arquivo de registro.")

    @classmethod
    def _default_hint(cls, params: Mapping[str, Any]) -> str:
        return cls.no_backup_hint if params.get("backup", NO_BACKUP) == NO_BACKUP \
            else cls.hint_template


class NotAvailableYet(KnownError):
    """A command that a later release brings (never a fake)."""

    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O comando “{command}” ainda não está disponível nesta versão.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Ele chega numa próxima versão do Cobrador Desktop.")


class DatabaseNotEmpty(KnownError):
    """Sample data is only ever loaded into an empty database, never mixed with real data."""

    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Este banco de dados já tem dados; os dados de exemplo não foram criados.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Use o comando “demo”, que guarda os exemplos numa pasta separada, ou “demo --reset” "
        "para recriá-los do zero.")


class DebtorNotFound(KnownError):
    """The debtor asked for is gone (deleted or merged by another PC meanwhile)."""

    message_template = QT_TRANSLATE_NOOP("KnownError", "Devedor não encontrado (código {debtor_id}).")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Ele pode ter sido apagado em outro computador. Volte à lista e busque de novo.")


class InvalidPayment(InvalidInput):
    """A payment that cannot be recorded as typed (the message says why)."""

    message_template = QT_TRANSLATE_NOOP("KnownError", "Pagamento inválido.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Confira os dados do pagamento e tente de novo.")


class PaymentAmountNotPositive(InvalidPayment):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O valor do pagamento precisa ser maior que zero.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Informe o valor recebido, por exemplo 150,00.")


class PaymentDateInFuture(InvalidPayment):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A data do pagamento ({date}) é depois de hoje.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Registre o pagamento quando o dinheiro entrar, com a data em que entrou.")


class PaymentTooOld(InvalidPayment):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A data do pagamento ({date}) é antiga demais.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Confira o ano da data do pagamento.")


class Overpayment(InvalidPayment):
    """More money than is owed: the shop would owe the difference back (CDC art. 42)."""

    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O pagamento de {amount} é maior que o saldo em aberto ({balance}).")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Registre no máximo o saldo em aberto. Se o cliente pagou a mais, combine a devolução "
        "ou o crédito com ele e anote nas notas do devedor.")


class DebtNotPayable(InvalidPayment):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Esta dívida não recebe pagamentos: ela está {status}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escolha uma dívida em aberto ou contestada.")


class NothingOpen(InvalidPayment):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Este devedor não tem dívida em aberto para receber pagamento.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Pagamentos só podem ser registrados em dívidas em aberto ou contestadas.")


class InvalidNote(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "A nota está vazia.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Escreva o que aconteceu antes de salvar a nota.")


class NoteTooLong(InvalidNote):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A nota tem {length} caracteres; o limite é {limit}.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Resuma a nota ou divida-a em duas.")


class DebtorAnonymised(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Os dados pessoais deste devedor foram anonimizados.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Não é possível acrescentar notas a um devedor anonimizado.")


class InvalidPromise(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Promessa de pagamento inválida.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Confira o valor e a data prometidos.")


class PromiseAmountNotPositive(InvalidPromise):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O valor prometido precisa ser maior que zero.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Informe quanto o devedor prometeu pagar.")


class PromiseTooLarge(InvalidPromise):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O valor prometido ({amount}) passa do que está em aberto ({balance}).")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Uma promessa vale no máximo o saldo em aberto.")


class PromiseDateOutOfRange(InvalidPromise):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A data prometida ({date}) precisa ser entre hoje e {latest}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Uma promessa vale de hoje até {days} dias à frente; para prazos maiores, proponha um "
        "acordo.")


class PromiseNotOpen(InvalidPromise):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Esta promessa não está mais em aberto.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Só promessas em aberto podem ser canceladas.")


class CancelReasonMissing(InvalidPromise):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Diga por que está cancelando.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "O motivo fica no histórico do devedor, por exemplo “devedor desistiu”.")


class InvalidAgreement(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Acordo inválido.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Confira os dados do acordo.")


class AgreementNoDebts(InvalidAgreement):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escolha ao menos uma dívida em aberto para o acordo.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Só dívidas em aberto ou contestadas, com saldo, entram num acordo.")


class FineAboveCap(InvalidAgreement):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A multa de {fine} passa do limite de 2 %.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "O Código de Defesa do Consumidor (art. 52, § 1º) limita a multa por atraso a 2 % do "
        "valor devido.")


class InterestOutOfRange(InvalidAgreement):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Juros de {interest} ao mês estão fora do permitido (0 % a {cap}).")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Confira a taxa de juros mensal.")


class AgreementBadInstallments(InvalidAgreement):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O número de parcelas precisa ser de 1 a {max}.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Confira o número de parcelas.")


class AgreementBadDiscount(InvalidAgreement):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O desconto ({discount}) precisa ser de zero até {limit}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "O desconto não pode passar do valor devido mais a multa.")


class AgreementBadDownPayment(InvalidAgreement):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A entrada ({down}) precisa ser menor que o total do acordo ({total}).")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Diminua a entrada ou, se o devedor paga tudo agora, registre um pagamento.")


class AgreementBadFirstDue(InvalidAgreement):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O primeiro vencimento ({date}) precisa ser entre hoje e {latest}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "As parcelas vencem uma por mês a partir do primeiro vencimento.")


class AgreementDebtsChanged(InvalidAgreement):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "As dívidas escolhidas mudaram enquanto o acordo era montado.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Feche a janela, confira os saldos e proponha o acordo de novo.")


class AgreementNotActive(InvalidAgreement):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Este acordo não está mais ativo.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Só acordos ativos podem ser cancelados; acordos quitados, rompidos ou "
        "cancelados ficam no histórico.")
