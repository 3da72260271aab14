"""The set-up wizard's checks and its one setting: test the number against the Cloud API, test
the webhook URL with Meta's handshake, and keep the number's safety checklist.

The tests never save anything: the owner sees what Meta answers first, and the wizard saves the
connection (through the connection service and the secret store) only when asked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.connection import check_connection
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.setup import SAFETY_CHECKLIST, SafetyChecklist, callback_url
from cobrador_desktop.services.authz import owner_only
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos.settings import read_json_setting, write_json_setting
from cobrador_desktop.whatsapp.client import DEFAULT_BASE_URL, CloudApiClient, CloudApiConfig
from cobrador_desktop.whatsapp.errors import CloudApiError
from cobrador_desktop.whatsapp.webhook.probe import ProbeOutcome, ProbeResult, probe_handshake

log = logging.getLogger("cobrador.setup")


@dataclass(frozen=True)
class NumberCheck:
    """What Meta says about the number whose connection was tested."""

    display_name: str | None
    display_phone_number: str | None
    #: GREEN / YELLOW / RED, or None/UNKNOWN/NA for a number not rated yet
    quality_rating: str | None
    #: TIER_250 … TIER_UNLIMITED, or None
    messaging_tier: str | None


class FieldMissing(KnownError):
    message_template = QT_TRANSLATE_NOOP("Setup", "Preencha “{field}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "Setup", "Copie o valor da página “Configuração da API” do aplicativo na Meta "
        "(developers.facebook.com › seu aplicativo › WhatsApp).")
    context = "Setup"


class NumberIdNotFound(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "Setup", "A Meta não encontrou o número com o identificador {phone_number_id}.")
    hint_template = QT_TRANSLATE_NOOP(
        "Setup", "Copie o “Identificação do número de telefone” (phone number id, só algarismos) "
        "da página Configuração da API — não é o número de telefone. Explicação da Meta: "
        "{details}")
    context = "Setup"


#: what the owner reads after "Testar webhook" (source text, context "Setup")
PROBE_TEXTS: dict[ProbeOutcome, tuple[str, str]] = {
    ProbeOutcome.OK: (
        QT_TRANSLATE_NOOP("Setup", "O webhook respondeu certo à verificação da Meta."),
        QT_TRANSLATE_NOOP("Setup", "Agora cole o endereço e o token de verificação no painel do "
                          "aplicativo na Meta (WhatsApp › Configuração › Webhook) e assine o "
                          "campo “messages”.")),
    ProbeOutcome.REFUSED: (
        QT_TRANSLATE_NOOP("Setup", "O programa que recebe os webhooks recusou o token de "
                          "verificação (HTTP {status})."),
        QT_TRANSLATE_NOOP("Setup", "O `serve` ou a janela que recebe usa outro token: salve "
                          "este token nele (ou em WHATSAPP_VERIFY_TOKEN) e reinicie-o.")),
    ProbeOutcome.WRONG_ANSWER: (
        QT_TRANSLATE_NOOP("Setup", "O endereço respondeu, mas não devolveu o desafio da Meta."),
        QT_TRANSLATE_NOOP("Setup", "Outro programa responde neste endereço. Confira se o túnel "
                          "aponta para a porta do Cobrador (8080) e se o caminho termina em "
                          "/webhook.")),
    ProbeOutcome.HTTP_ERROR: (
        QT_TRANSLATE_NOOP("Setup", "O endereço respondeu com erro HTTP {status}."),
        QT_TRANSLATE_NOOP("Setup", "404: o caminho deve terminar em /webhook. 502 ou 503: o "
                          "túnel está no ar, mas o Cobrador não está rodando neste computador.")),
    ProbeOutcome.UNREACHABLE: (
        QT_TRANSLATE_NOOP("Setup", "Não foi possível conectar ao endereço do webhook."),
        QT_TRANSLATE_NOOP("Setup", "Confira o endereço, se o túnel (ou o servidor) está ligado "
                          "e se o Cobrador está aberto ou o `serve` rodando.")),
    ProbeOutcome.TIMEOUT: (
        QT_TRANSLATE_NOOP("Setup", "O endereço do webhook não respondeu a tempo."),
        QT_TRANSLATE_NOOP("Setup", "A Meta também desiste. Confira o túnel e a internet deste "
                          "computador e tente de novo.")),
    ProbeOutcome.TLS: (
        QT_TRANSLATE_NOOP("Setup", "O certificado HTTPS do endereço não é aceito."),
        QT_TRANSLATE_NOOP("Setup", "A Meta só chama endereços com certificado válido: use um "
                          "túnel (Cloudflare Tunnel) ou um certificado Let's Encrypt.")),
}


class SetupChecks:
    """The wizard's two live tests; nothing here writes to the database."""

    async def test_number(self, phone_number_id: str, waba_id: str, access_token: str,
                          api_base_url: str = DEFAULT_BASE_URL) -> NumberCheck:
        """Read the number's display name, quality rating and tier from the Cloud API.

        Raises:
            FieldMissing: a field is empty.
            ConnectionIdInvalid, ConnectionUrlInvalid: what saving the connection refuses too
                (checked here before anything reaches the network).
            NumberIdNotFound: Meta knows no number with that id.
            CloudApiError: any other refusal (a wrong or expired token: code 190), in pt-BR.
        """
        for caption, value in ((QT_TRANSLATE_NOOP("Setup", "Identificação do número de telefone"),
                                phone_number_id),
                               (QT_TRANSLATE_NOOP("Setup", "Identificação da conta do WhatsApp "
                                                  "Business"), waba_id),
                               (QT_TRANSLATE_NOOP("Setup", "Token de acesso"), access_token)):
            if not value.strip():
                raise FieldMissing(field=caption)
        # the same checks as saving the connection: only digits in the ids, a plain http(s) address
        fields = check_connection({"phone_number_id": phone_number_id, "waba_id": waba_id,
                                   "api_base_url": api_base_url})
        config = CloudApiConfig(base_url=fields.base_url,
                                phone_number_id=fields.phone_number_id or "",
                                waba_id=fields.waba_id or "", access_token=access_token.strip())
        async with CloudApiClient(config) as client:
            try:
                info = await client.phone_info()
            except CloudApiError as error:
                if error.code == 100 and error.subcode == 33:
                    raise NumberIdNotFound(phone_number_id=config.phone_number_id,
                                           details=error.details or "-") from error
                raise
        log.info("connection test: number %s answered (quality %s, tier %s)",
                 config.phone_number_id, info.quality_rating, info.messaging_limit_tier)
        return NumberCheck(display_name=info.verified_name,
                           display_phone_number=info.display_phone_number,
                           quality_rating=info.quality_rating,
                           messaging_tier=info.messaging_limit_tier)

    async def test_webhook(self, address: str, verify_token: str) -> ProbeResult:
        """Meta's subscription check against the typed address (`/webhook` added when it has no
        path).

        Raises:
            WebhookUrlInvalid: the address is not an http(s) URL.
        """
        return await probe_handshake(callback_url(address), verify_token)


class SetupSettings:
    """The safety checklist, saved for every PC on this database."""

    def __init__(self, db: Runner, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def load_checklist(self) -> SafetyChecklist:
        return await self._db.run(lambda session: read_json_setting(session, SAFETY_CHECKLIST))

    @owner_only("settings.safety_checklist",
                QT_TRANSLATE_NOOP("Roles", "marcar a lista de segurança do número"))
    async def save_checklist(self, checklist: SafetyChecklist, operator_id: int | None
                             ) -> SafetyChecklist:
        """Save what the owner ticked, audited (owner-only)."""
        now = self._clock.now()

        def work(session: Any) -> SafetyChecklist:
            return write_json_setting(session, SAFETY_CHECKLIST, checklist,
                                      operator_id=operator_id, now=now)

        return await self._db.run(work)
