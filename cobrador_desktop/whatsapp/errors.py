"""Meta's error codes, what each means for a send, and what the operator is told (WHATSAPP_CLOUD_API.md §7).

`RULES` is the one table: every code of §7 maps to an `ErrorKind` (what the outbox does), an English
meaning (for logs), and a pt-BR message plus next step (for the operator). The HTTP status does not
classify a known code (throttling is 400, 132001 is 404, 190 is 401); it is only the fallback for
codes the table does not know. `CloudApiError` carries one parsed error envelope; `SendOutcomeUnknown`
says a send may have reached Meta and must never be repeated automatically (§3).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP

CONTEXT = "CloudApi"
#: the exponential backoff of RETRY and PACE kinds stops growing here (§7: cap 5 min)
BACKOFF_CAP_SECONDS = 300
#: tries of a transient error when the table says nothing more precise (§7: ≤ 5 tries)
DEFAULT_MAX_RETRIES = 5


class ErrorKind(StrEnum):
    """What to do with the message (and the number's queue) after an error."""

    RETRY = "retry"  # transient: back off with jitter and try again
    PACE = "pace"  # rate limited: slow down, then retry
    WAIT = "wait"  # reschedule much later (hours)
    TEMPLATE = "template"  # the 24-hour window is closed: only an approved template may go
    NO_RETRY = "no_retry"  # permanent for this message: a person acts
    STOP = "stop"  # auth/account problem: halt the number's queue and alert the owner


class FollowUp(StrEnum):
    """What else the caller should do besides the kind's action."""

    FLAG_PHONE = "flag_phone"  # the number may not have WhatsApp (131026)
    RESYNC_TEMPLATES = "resync_templates"  # our template copy is stale (132000, 132001)
    BULK_ONLY = "bulk_only"  # STOP applies to campaigns; operator replies may go on
    RECIPIENT = "recipient"  # PACE applies to this recipient, not the whole number
    MANAGEMENT = "management"  # PACE applies to management calls (templates, phone info)
    MARKETING = "marketing"  # NO_RETRY applies to marketing templates only
    USE_PHONE = "use_phone"  # address the user by phone, not BSUID
    TEMPLATE_CREATION = "template_creation"  # show `error_user_msg` to whoever wrote the template


@dataclass(frozen=True)
class ErrorRule:
    """One row of the error table.

    Attributes:
        codes: Meta's `error.code` values of the row.
        kind: what the outbox does.
        meaning: English description (logs, developers).
        message_pt: the "Mensagem ao operador" (pt-BR source text, context "CloudApi").
        hint_pt: the next step, pt-BR.
        subcodes: when set, the row matches only these `error_subcode`s (template creation).
        retry_after_seconds: a fixed delay the documentation gives (131057, 132015, 131049).
        backoff_base: exponential delay base in seconds (2 → 1, 2, 4 …; 4 → 4^X for 131056).
        max_retries: automatic retries before giving up (None = none).
        follow_up: extra actions for the caller.
    """

    codes: tuple[int, ...]
    kind: ErrorKind
    meaning: str
    message_pt: str
    hint_pt: str
    subcodes: tuple[int, ...] = ()
    retry_after_seconds: int | None = None
    backoff_base: int | None = None
    max_retries: int | None = None
    follow_up: frozenset[FollowUp] = frozenset()

    def delay_seconds(self, attempt: int) -> float | None:
        """Seconds to wait before retry number `attempt` (1 = the first retry), before jitter.

        None means: do not retry automatically (the kind forbids it, or the tries are spent).
        """
        if attempt < 1 or self.max_retries is None or attempt > self.max_retries:
            return None
        if self.retry_after_seconds is not None:
            return float(self.retry_after_seconds)
        if self.backoff_base is None:
            return None
        return float(min(self.backoff_base ** (attempt - 1), BACKOFF_CAP_SECONDS))


def _retry(codes: tuple[int, ...], meaning: str, message: str, hint: str, *,
           after: int | None = None, retries: int = DEFAULT_MAX_RETRIES) -> ErrorRule:
    return ErrorRule(codes, ErrorKind.RETRY, meaning, message, hint, retry_after_seconds=after,
                     backoff_base=2, max_retries=retries)


def _no_retry(codes: tuple[int, ...], meaning: str, message: str, hint: str,
              *follow_up: FollowUp, subcodes: tuple[int, ...] = ()) -> ErrorRule:
    return ErrorRule(codes, ErrorKind.NO_RETRY, meaning, message, hint, subcodes=subcodes,
                     follow_up=frozenset(follow_up))


def _stop(codes: tuple[int, ...], meaning: str, message: str, hint: str,
          *follow_up: FollowUp) -> ErrorRule:
    return ErrorRule(codes, ErrorKind.STOP, meaning, message, hint, follow_up=frozenset(follow_up))


_TEMPLATE_HINT = QT_TRANSLATE_NOOP(
    "CloudApi", "Corrija o modelo conforme a explicação da Meta ({details}) e envie de novo para aprovação.")
_PERMISSION_HINT = QT_TRANSLATE_NOOP(
    "CloudApi",
    "Os envios deste número foram interrompidos. No Gerenciador de Negócios da Meta, dê ao usuário do "
    "sistema as permissões whatsapp_business_messaging e whatsapp_business_management.")

#: The error table of WHATSAPP_CLOUD_API.md §7, every row, plus template-creation subcodes.
RULES: tuple[ErrorRule, ...] = (
    ErrorRule((130429,), ErrorKind.PACE, "Throughput limit",
              QT_TRANSLATE_NOOP("CloudApi", "Envio rápido demais; desacelerando."),
              QT_TRANSLATE_NOOP("CloudApi", "Nada a fazer: o programa reduz o ritmo e tenta de novo."),
              backoff_base=2, max_retries=DEFAULT_MAX_RETRIES),
    ErrorRule((131056,), ErrorKind.PACE, "Pair rate limit (same user)",
              QT_TRANSLATE_NOOP("CloudApi", "Muitas mensagens seguidas para este cliente."),
              QT_TRANSLATE_NOOP("CloudApi", "O programa espera alguns segundos e envia de novo para este "
                                "cliente; evite mandar várias mensagens em sequência."),
              backoff_base=4, max_retries=DEFAULT_MAX_RETRIES,
              follow_up=frozenset({FollowUp.RECIPIENT})),
    _stop((131048,), "Spam rate limit",
          QT_TRANSLATE_NOOP("CloudApi", "Envios limitados por denúncias de spam. Campanhas pausadas."),
          QT_TRANSLATE_NOOP("CloudApi", "Reveja o texto e a frequência dos lembretes e envie só para quem "
                            "autorizou; retome as campanhas depois de alguns dias."), FollowUp.BULK_ONLY),
    ErrorRule((131049,), ErrorKind.WAIT, "Not delivered (per-user marketing cap)",
              QT_TRANSLATE_NOOP("CloudApi", "Marketing não entregue pela Meta; tente amanhã."),
              QT_TRANSLATE_NOOP("CloudApi", "O envio foi reagendado para daqui a 24 horas."),
              retry_after_seconds=24 * 3600, max_retries=1),
    _no_retry((131050,), "User stopped marketing messages",
              QT_TRANSLATE_NOOP("CloudApi", "O cliente pediu para não receber marketing da loja."),
              QT_TRANSLATE_NOOP("CloudApi", "Não envie marketing a este cliente; lembretes de cobrança "
                                "(utilidade) continuam permitidos."), FollowUp.MARKETING),
    ErrorRule((131047,), ErrorKind.TEMPLATE, "Outside the 24-hour customer service window",
              QT_TRANSLATE_NOOP("CloudApi", "Janela de 24 horas fechada. Envie um modelo aprovado."),
              QT_TRANSLATE_NOOP("CloudApi", "Texto livre só pode ir até 24 horas depois da última mensagem "
                                "do cliente; escolha um modelo aprovado.")),
    _no_retry((131026,), "Undeliverable (no WhatsApp, old app, terms not accepted, blocked)",
              QT_TRANSLATE_NOOP("CloudApi", "Não entregue: o número pode não ter WhatsApp."),
              QT_TRANSLATE_NOOP("CloudApi", "Confirme o telefone com o cliente por outro meio; o programa "
                                "não tenta de novo sozinho."), FollowUp.FLAG_PHONE),
    _no_retry((100, 131008, 131009, 131051, 131021),
              "Invalid or missing parameter, unsupported type, recipient = sender",
              QT_TRANSLATE_NOOP("CloudApi", "Mensagem inválida; detalhe registrado."),
              QT_TRANSLATE_NOOP("CloudApi", "Confira o texto e o telefone; se continuar, procure o suporte "
                                "com o arquivo de registro.")),
    _no_retry((131052, 131053), "Media download / upload error",
              QT_TRANSLATE_NOOP("CloudApi", "Arquivo inválido (tipo ou tamanho)."),
              QT_TRANSLATE_NOOP("CloudApi", "Use um PDF de até 100 MB ou uma imagem de até 5 MB.")),
    _no_retry((132000,), "Template parameter count mismatch",
              QT_TRANSLATE_NOOP("CloudApi", "O modelo espera outro número de campos."),
              QT_TRANSLATE_NOOP("CloudApi", "Os modelos serão sincronizados com a Meta; confira os campos e "
                                "envie de novo."), FollowUp.RESYNC_TEMPLATES),
    _no_retry((132001,), "Template missing or not approved in this language",
              QT_TRANSLATE_NOOP("CloudApi", "Modelo não encontrado ou não aprovado."),
              QT_TRANSLATE_NOOP("CloudApi", "Os modelos serão sincronizados com a Meta; escolha um modelo "
                                "aprovado em português (pt_BR)."), FollowUp.RESYNC_TEMPLATES),
    _no_retry((132005,), "Hydrated template text too long",
              QT_TRANSLATE_NOOP("CloudApi", "Texto do modelo longo demais."),
              QT_TRANSLATE_NOOP("CloudApi", "Encurte os valores dos campos (o texto final tem limite de "
                                "1024 caracteres).")),
    _no_retry((132007, 132008, 132012, 132018),
              "Template parameter character policy / value / format / diagnostic",
              QT_TRANSLATE_NOOP("CloudApi", "Campo do modelo em formato inválido."),
              QT_TRANSLATE_NOOP("CloudApi", "Confira os valores dos campos: sem quebras de linha, sem "
                                "tabulações e no formato que o modelo espera.")),
    ErrorRule((132015,), ErrorKind.WAIT, "Template paused for low quality",
              QT_TRANSLATE_NOOP("CloudApi", "Modelo pausado pela Meta por baixa qualidade."),
              QT_TRANSLATE_NOOP("CloudApi", "O envio foi reagendado para daqui a 3 horas; se tiver pressa, "
                                "use outro modelo aprovado."),
              retry_after_seconds=3 * 3600, max_retries=1),
    _no_retry((132016,), "Template disabled",
              QT_TRANSLATE_NOOP("CloudApi", "Modelo desativado pela Meta; crie outro."),
              QT_TRANSLATE_NOOP("CloudApi", "Crie um modelo novo com outro nome e texto mais claro e "
                                "envie para aprovação.")),
    _retry((131000,), "Generic error",
           QT_TRANSLATE_NOOP("CloudApi", "Erro temporário na Meta; nova tentativa."),
           QT_TRANSLATE_NOOP("CloudApi", "Nada a fazer agora: o programa tenta de novo sozinho."),
           retries=3),
    _retry((131016, 133004, 2), "Service unavailable",
           QT_TRANSLATE_NOOP("CloudApi", "WhatsApp indisponível; nova tentativa."),
           QT_TRANSLATE_NOOP("CloudApi", "Nada a fazer agora: o programa tenta de novo sozinho.")),
    _retry((131057,), "Business account in maintenance mode (up to a minute)",
           QT_TRANSLATE_NOOP("CloudApi", "Conta em manutenção; novo envio em 1 minuto."),
           QT_TRANSLATE_NOOP("CloudApi", "Nada a fazer: o programa tenta de novo em 1 minuto."),
           after=60, retries=3),
    ErrorRule((4, 80007), ErrorKind.PACE, "App / WABA call-rate limit",
              QT_TRANSLATE_NOOP("CloudApi", "Limite de consultas à Meta; sincronização adiada."),
              QT_TRANSLATE_NOOP("CloudApi", "A sincronização de modelos e do número será feita mais tarde, "
                                "sozinha."),
              backoff_base=2, max_retries=DEFAULT_MAX_RETRIES,
              follow_up=frozenset({FollowUp.MANAGEMENT})),
    _stop((190, 0), "Access token expired or invalid / authentication failure",
          QT_TRANSLATE_NOOP("CloudApi", "Acesso à Meta expirado. Renove o token."),
          QT_TRANSLATE_NOOP("CloudApi", "Os envios deste número foram interrompidos. Gere um token de "
                            "usuário do sistema (que não expira) na Meta e salve-o nas configurações.")),
    _stop((3, 10, *range(200, 300), 131005), "Permission missing or denied",
          QT_TRANSLATE_NOOP("CloudApi", "Falta permissão no aplicativo da Meta."), _PERMISSION_HINT),
    _stop((33, 133010, 131045), "Wrong phone-number id / number not registered / certificate",
          QT_TRANSLATE_NOOP("CloudApi", "Número da loja não registrado corretamente na Meta."),
          QT_TRANSLATE_NOOP("CloudApi", "Os envios foram interrompidos. Confira o identificador do número "
                            "(phone number id) nas configurações e o registro do número na Meta.")),
    _stop((368, 131031), "Temporary policy block / business account locked",
          QT_TRANSLATE_NOOP("CloudApi", "Número bloqueado pela Meta; veja o Gerenciador do WhatsApp."),
          QT_TRANSLATE_NOOP("CloudApi", "Os envios foram interrompidos. Veja o motivo no Gerenciador do "
                            "WhatsApp e, se discordar, peça revisão à Meta.")),
    _stop((131042,), "Payment problem on the account",
          QT_TRANSLATE_NOOP("CloudApi", "Problema de pagamento na conta da Meta."),
          QT_TRANSLATE_NOOP("CloudApi", "Os envios foram interrompidos. Confira a forma de pagamento no "
                            "Gerenciador de Negócios da Meta.")),
    _no_retry((131062,), "Business-scoped user id (BSUID) not allowed here",
              QT_TRANSLATE_NOOP("CloudApi", "Este envio exige o telefone do cliente."),
              QT_TRANSLATE_NOOP("CloudApi", "Cadastre o telefone do cliente e envie de novo."),
              FollowUp.USE_PHONE),
    _stop((131064,), "Limit after classification violations (pywa only, unconfirmed)",
          QT_TRANSLATE_NOOP("CloudApi", "Limite de envios atingido."),
          QT_TRANSLATE_NOOP("CloudApi", "As campanhas foram pausadas; veja o Gerenciador do WhatsApp."),
          FollowUp.BULK_ONLY),
    # Template creation: code 100 + error_subcode; Meta's error_user_msg says what to fix.
    _no_retry((100,), "Template field too long",
              QT_TRANSLATE_NOOP("CloudApi", "Um campo do modelo é longo demais."), _TEMPLATE_HINT,
              FollowUp.TEMPLATE_CREATION, subcodes=(2388040,)),
    _no_retry((100,), "Invalid template header",
              QT_TRANSLATE_NOOP("CloudApi", "Cabeçalho do modelo inválido."), _TEMPLATE_HINT,
              FollowUp.TEMPLATE_CREATION, subcodes=(2388047,)),
    _no_retry((100,), "Invalid template body",
              QT_TRANSLATE_NOOP("CloudApi", "Corpo do modelo inválido."), _TEMPLATE_HINT,
              FollowUp.TEMPLATE_CREATION, subcodes=(2388072,)),
    _no_retry((100,), "Invalid template footer",
              QT_TRANSLATE_NOOP("CloudApi", "Rodapé do modelo inválido."), _TEMPLATE_HINT,
              FollowUp.TEMPLATE_CREATION, subcodes=(2388073,)),
    _no_retry((100,), "Too many variables for the template's length",
              QT_TRANSLATE_NOOP("CloudApi", "Variáveis demais para o tamanho do texto do modelo."),
              _TEMPLATE_HINT, FollowUp.TEMPLATE_CREATION, subcodes=(2388293,)),
    _no_retry((100,), "Variable at the start or end of the template text",
              QT_TRANSLATE_NOOP("CloudApi", "O texto do modelo não pode começar nem terminar com um campo."),
              _TEMPLATE_HINT, FollowUp.TEMPLATE_CREATION, subcodes=(2388299,)),
    _no_retry((100,), "Message template limit reached",
              QT_TRANSLATE_NOOP("CloudApi", "Limite de modelos da conta atingido."),
              QT_TRANSLATE_NOOP("CloudApi", "Apague modelos que não usa mais no Gerenciador do WhatsApp e "
                                "tente de novo."), FollowUp.TEMPLATE_CREATION, subcodes=(2388019,)),
    _no_retry((100,), "Template name or language being deleted / already exists (unconfirmed)",
              QT_TRANSLATE_NOOP("CloudApi", "Já existe um modelo com este nome e idioma."),
              QT_TRANSLATE_NOOP("CloudApi", "Use outro nome para o modelo (um nome apagado só pode ser "
                                "reutilizado depois de algumas semanas)."),
              FollowUp.TEMPLATE_CREATION, subcodes=(2388023, 2388024)),
)

# Fallbacks for what the table does not know (§7: the HTTP class decides; network failures, §3).
NETWORK_RULE = _retry(
    (), "No answer: the request never left or the connection failed before sending",
    QT_TRANSLATE_NOOP("CloudApi", "Sem conexão com a Meta; nova tentativa."),
    QT_TRANSLATE_NOOP("CloudApi", "Confira a internet deste computador; o programa tenta de novo sozinho."))
SERVER_RULE = _retry(
    (), "Unknown server-side error (HTTP 5xx)",
    QT_TRANSLATE_NOOP("CloudApi", "Erro temporário na Meta; nova tentativa."),
    QT_TRANSLATE_NOOP("CloudApi", "Nada a fazer agora: o programa tenta de novo sozinho."), retries=3)
THROTTLED_RULE = ErrorRule(
    (), ErrorKind.PACE, "Unknown code with HTTP 429",
    QT_TRANSLATE_NOOP("CloudApi", "Envio rápido demais; desacelerando."),
    QT_TRANSLATE_NOOP("CloudApi", "Nada a fazer: o programa reduz o ritmo e tenta de novo."),
    backoff_base=2, max_retries=DEFAULT_MAX_RETRIES)
UNAUTHORIZED_RULE = _stop(
    (), "Unknown code with HTTP 401",
    QT_TRANSLATE_NOOP("CloudApi", "Acesso à Meta expirado. Renove o token."),
    QT_TRANSLATE_NOOP("CloudApi", "Os envios deste número foram interrompidos. Gere um token de usuário "
                      "do sistema (que não expira) na Meta e salve-o nas configurações."))
REJECTED_RULE = _no_retry(
    (), "Unknown client-side error (HTTP 4xx) or unexpected answer",
    QT_TRANSLATE_NOOP("CloudApi", "A Meta recusou o envio (código {code})."),
    QT_TRANSLATE_NOOP("CloudApi", "Confira a mensagem e o telefone; se continuar, procure o suporte com o "
                      "arquivo de registro."))

_BY_CODE: dict[int, ErrorRule] = {}
_BY_SUBCODE: dict[tuple[int, int], ErrorRule] = {}
for _rule in RULES:
    for _code in _rule.codes:
        if _rule.subcodes:
            for _sub in _rule.subcodes:
                _BY_SUBCODE[(_code, _sub)] = _rule
        else:
            _BY_CODE[_code] = _rule


def classify(code: int | None, http_status: int | None, subcode: int | None = None) -> ErrorRule:
    """The rule for an error: by Meta's code (and subcode), else by the HTTP class.

    Unknown codes: 401 → STOP, 429 → PACE, 5xx → RETRY (3 tries), other 4xx → NO_RETRY.
    No code and no status (a network failure before anything was sent) → RETRY.
    """
    if code is not None:
        if subcode is not None and (code, subcode) in _BY_SUBCODE:
            return _BY_SUBCODE[(code, subcode)]
        if code in _BY_CODE:
            return _BY_CODE[code]
    if http_status is None:
        return NETWORK_RULE if code is None else REJECTED_RULE
    if http_status == 401:
        return UNAUTHORIZED_RULE
    if http_status == 429:
        return THROTTLED_RULE
    if http_status >= 500:
        return SERVER_RULE
    return REJECTED_RULE


# ---------------------------------------------------------------- exceptions

_CODE_IN_MESSAGE = re.compile(r"^\(#(\d+)\)\s*")


class CloudApiError(KnownError):
    """An error answer of the Cloud API (or a failure before the request left), classified.

    `message`/`hint` are the rule's pt-BR texts; `details` is Meta's own explanation
    (`error_data.details`, else `error_user_msg`), which §7 says to log and show.
    """

    context: ClassVar[str] = CONTEXT

    def __init__(self, *, code: int | None, http_status: int | None, subcode: int | None = None,
                 title: str = "", details: str = "", fbtrace_id: str | None = None,
                 rule: ErrorRule | None = None) -> None:
        self.code = code
        self.subcode = subcode
        self.http_status = http_status
        self.title = title
        self.details = details
        self.fbtrace_id = fbtrace_id
        self.rule = rule if rule is not None else classify(code, http_status, subcode)
        super().__init__(message=self.rule.message_pt, hint=self.rule.hint_pt,
                         code="?" if code is None else code, details=details or title or "-")

    @property
    def kind(self) -> ErrorKind:
        """What the outbox does with the message."""
        return self.rule.kind

    def __repr__(self) -> str:
        return (f"CloudApiError(code={self.code!r}, subcode={self.subcode!r}, "
                f"http_status={self.http_status!r}, kind={self.kind.value!r}, "
                f"title={self.title!r}, fbtrace_id={self.fbtrace_id!r})")

    @classmethod
    def from_response(cls, status: int, body: bytes | str | Mapping[str, Any] | None) -> CloudApiError:
        """Parse Meta's error envelope tolerantly: HTML gateway pages, missing or odd keys."""
        envelope = _as_mapping(body)
        error = envelope.get("error") if envelope is not None else None
        if not isinstance(error, Mapping):
            return cls(code=None, http_status=status, title=_snippet(body))
        message = _text(error.get("message"))
        code = _int(error.get("code"))
        match = _CODE_IN_MESSAGE.match(message)
        if code is None and match:
            code = int(match.group(1))
        title = _text(error.get("error_user_title")) or _text(error.get("title")) \
            or _CODE_IN_MESSAGE.sub("", message)
        data = error.get("error_data")
        details = _text(data.get("details")) if isinstance(data, Mapping) else _text(data)
        details = details or _text(error.get("error_user_msg")) or message
        return cls(code=code, http_status=status, subcode=_int(error.get("error_subcode")),
                   title=title, details=details, fbtrace_id=_text(error.get("fbtrace_id")) or None)


class SendOutcomeUnknown(KnownError):
    """A send may have reached Meta but no answer came back (§3): never resend it automatically.

    Raised for `WriteTimeout`, `ReadTimeout`, `RemoteProtocolError`, a connection reset after the
    body was written, or a 2xx answer without a message id. `reason` names what happened (English).
    """

    context: ClassVar[str] = CONTEXT
    message_template = QT_TRANSLATE_NOOP(
        "CloudApi", "Envio sem confirmação da Meta: a mensagem pode ter sido entregue ou não.")
    hint_template = QT_TRANSLATE_NOOP(
        "CloudApi",
        "O programa não reenvia sozinho para não mandar duas vezes. Se um status da Meta chegar, a "
        "mensagem é atualizada; senão, confira a conversa no WhatsApp e decida se envia de novo.")

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__()

    def __repr__(self) -> str:
        return f"SendOutcomeUnknown(reason={self.reason!r})"


def _as_mapping(body: bytes | str | Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if isinstance(body, Mapping):
        return body
    if body is None:
        return None
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return parsed if isinstance(parsed, Mapping) else None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _snippet(body: object, limit: int = 80) -> str:
    """A short readable start of a non-JSON answer (a gateway's HTML page), for the log."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if not isinstance(body, str):
        return ""
    text = re.sub(r"<[^>]*>", " ", body)
    return " ".join(text.split())[:limit]
