"""Where things live and what the environment overrides (INTERFACES.md §1–2)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cobrador_desktop import APP_NAME
from cobrador_desktop.domain.clock import DEFAULT_SHOP_ZONE
from cobrador_desktop.domain.connection import DEFAULT_API_BASE_URL, FIELD_ENV, ConnectionFields
from cobrador_desktop.domain.errors import DataDirNotWritable, InvalidInput, KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.redact import mask_url_password

if TYPE_CHECKING:
    from cobrador_desktop.app.secrets import SecretStore
    from cobrador_desktop.domain.clock import Clock
    from cobrador_desktop.whatsapp.client import CloudApiConfig

DB_FILENAME = "cobrador.db"
#: where `serve` and the window receive webhooks unless told otherwise
DEFAULT_WEBHOOK_PORT = 8080


@dataclass(frozen=True)
class Profile:
    """One set of data the app runs on: the real one, or the separate demo folder."""

    name: str  # "normal" | "demo"
    data_dir: Path
    database_url: str
    timezone: str

    @property
    def is_demo(self) -> bool:
        return self.name == "demo"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url[len(prefix):])
        return None

    @property
    def database_label(self) -> str:
        """The database URL fit to show or log: any password is masked."""
        return mask_url_password(self.database_url)


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False, roaming=True)


def resolve_profile(*, data_dir: str | None, database_url: str | None, demo: bool) -> Profile:
    """Build the profile from options, then environment, then defaults (INTERFACES.md §1)."""
    base = Path(data_dir or os.environ.get("COBRADOR_DATA_DIR") or default_data_dir())
    base = base.expanduser().resolve()
    url = database_url or os.environ.get("COBRADOR_DATABASE_URL")
    if demo:
        # The demo never touches the real data: its own folder and its own SQLite file.
        folder = base / "demo"
        url = sqlite_url(folder / DB_FILENAME)
    else:
        folder = base
        url = url or sqlite_url(folder / DB_FILENAME)
    timezone = os.environ.get("COBRADOR_TIMEZONE") or DEFAULT_SHOP_ZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            message="Fuso horário desconhecido em COBRADOR_TIMEZONE: “{value}”.",
            hint="Use um nome IANA, por exemplo America/Sao_Paulo.", value=timezone) from exc
    return Profile(name="demo" if demo else "normal", data_dir=folder, database_url=url,
                   timezone=timezone)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def ensure_writable_dir(path: Path) -> None:
    """Create `path` if needed and prove we can write there, or raise `DataDirNotWritable`."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-test-{os.getpid()}-{os.urandom(4).hex()}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise DataDirNotWritable(path=str(path)) from exc




@dataclass(frozen=True)
class WhatsAppEnv:
    """What the environment says about the Cloud API connection (secrets stay out of repr)."""

    api_base_url: str
    phone_number_id: str | None
    waba_id: str | None
    has_access_token: bool
    has_app_secret: bool
    has_verify_token: bool

    @property
    def configured(self) -> bool:
        return bool(self.phone_number_id and self.has_access_token)


def whatsapp_env() -> WhatsAppEnv:
    env = os.environ
    return WhatsAppEnv(
        api_base_url=(env.get("WHATSAPP_API_BASE_URL") or DEFAULT_API_BASE_URL).rstrip("/"),
        phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID") or None,
        waba_id=env.get("WHATSAPP_WABA_ID") or None,
        has_access_token=bool(env.get("WHATSAPP_ACCESS_TOKEN")),
        has_app_secret=bool(env.get("WHATSAPP_APP_SECRET")),
        has_verify_token=bool(env.get("WHATSAPP_VERIFY_TOKEN")),
    )


def connection_fields(fields: ConnectionFields | None = None) -> ConnectionFields:
    """The number's non-secret fields: each WHATSAPP_* variable overrides the saved one."""
    saved = fields or ConnectionFields()
    values = {name: os.environ.get(variable) or getattr(saved, name)
              for name, variable in FIELD_ENV.items()}
    return ConnectionFields(**values)


def cloud_api_config(fields: ConnectionFields | None = None,
                     store: SecretStore | None = None) -> CloudApiConfig | None:
    """The Cloud API connection, or None when no number (or no token) is set.

    The environment overrides what the owner saved: `fields` (the settings table, see
    `services.connection`) and the access token in `store` (`app.secrets`).
    """
    from cobrador_desktop.app.secrets import secret

    merged = connection_fields(fields)
    token = secret("access_token", store)
    if not (merged.phone_number_id and token):
        return None
    from cobrador_desktop.whatsapp.client import CloudApiConfig

    return CloudApiConfig(base_url=merged.base_url.rstrip("/"),
                          phone_number_id=merged.phone_number_id, waba_id=merged.waba_id or "",
                          access_token=token)


#: hosts a shifted clock may send to: the local emulator, never Meta
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class ClockStartInvalid(KnownError):
    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "COBRADOR_CLOCK_START inválido: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Use um instante ISO-8601 com fuso, por exemplo 2026-12-07T14:00:00Z, "
        "ou remova a variável.")


class ClockStartNeedsEmulator(KnownError):
    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "COBRADOR_CLOCK_START só vale com o emulador local, e a API configurada é "
        "{url}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Remova COBRADOR_CLOCK_START: com o número real, o programa usa o relógio "
        "do computador (os horários de contato dependem dele).")


def process_clock() -> Clock:
    """The clock of a `serve` process: the computer's, unless `COBRADOR_CLOCK_START` moves it.

    The shifted clock exists for end-to-end tests and training against the local emulator; with
    any other Cloud API address it is refused, so contact hours can't be dodged this way.

    Raises:
        ClockStartInvalid: the instant can't be read or has no time zone.
        ClockStartNeedsEmulator: the Cloud API address is not this computer.
    """
    from cobrador_desktop.domain.clock import ShiftedClock, SystemClock

    value = os.environ.get("COBRADOR_CLOCK_START", "").strip()
    if not value:
        return SystemClock()
    try:
        start = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ClockStartInvalid(value=value) from None
    if start.tzinfo is None:
        raise ClockStartInvalid(value=value)
    url = whatsapp_env().api_base_url
    if urlsplit(url).hostname not in _LOOPBACK_HOSTS:
        raise ClockStartNeedsEmulator(url=url)
    return ShiftedClock(start)


class WebhookSecretsMissing(KnownError):
    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Faltam segredos do WhatsApp para receber webhooks: {missing}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Defina as variáveis de ambiente WHATSAPP_APP_SECRET (o segredo do aplicativo na Meta) e "
        "WHATSAPP_VERIFY_TOKEN (o texto que você escolheu ao cadastrar o webhook), ou salve-os "
        "na conexão do programa (Configurações › Assistente de configuração), e rode de novo.")


def webhook_secrets(store: SecretStore | None = None) -> tuple[list[bytes], str]:
    """The app secret(s) and verify token: the environment first, then `store` (INTERFACES.md §2).

    `WHATSAPP_APP_SECRET` may hold two secrets separated by a comma while Meta rotates it.
    """
    from cobrador_desktop.app.secrets import secret

    secret_value = secret("app_secret", store) or ""
    token = secret("verify_token", store) or ""
    missing = [name for name, value in (("WHATSAPP_APP_SECRET", secret_value),
                                        ("WHATSAPP_VERIFY_TOKEN", token)) if not value]
    if missing:
        raise WebhookSecretsMissing(missing=", ".join(missing))
    return [part.strip().encode() for part in secret_value.split(",") if part.strip()], token


def webhook_port() -> int:
    """The window's webhook port: `COBRADOR_WEBHOOK_PORT`, or 8080 (a bad value is logged)."""
    value = os.environ.get("COBRADOR_WEBHOOK_PORT", "").strip()
    if value.isdigit() and 0 < int(value) < 65536:
        return int(value)
    if value:
        import logging

        logging.getLogger("cobrador.app").warning(
            "COBRADOR_WEBHOOK_PORT=%r is not a port number: using %d", value,
            DEFAULT_WEBHOOK_PORT)
    return DEFAULT_WEBHOOK_PORT
