"""`cobrador-desktop check`: one line per check, OK / AVISO / FALHA, each with what to do."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from cobrador_desktop.app.cli import QT_PROBE_ARG
from cobrador_desktop.app.config import Profile, cloud_api_config, ensure_writable_dir
from cobrador_desktop.app.secrets import chosen_kind, keyring_status, secrets_file, store_or_none
from cobrador_desktop.domain.connection import ConnectionFields
from cobrador_desktop.domain.errors import KnownError


class Level(StrEnum):
    OK = "OK"
    WARN = "AVISO"
    FAIL = "FALHA"


@dataclass(frozen=True)
class CheckLine:
    level: Level
    what: str
    detail: str

    def render(self) -> str:
        return f"{self.level.value:<5}  {self.what}: {self.detail}"


def check_data_dir(profile: Profile) -> CheckLine:
    what = "Pasta de dados"
    try:
        ensure_writable_dir(profile.data_dir)
    except KnownError as err:
        return CheckLine(Level.FAIL, what, str(err))
    return CheckLine(Level.OK, what, f"{profile.data_dir} (gravável)")


def check_database(profile: Profile) -> CheckLine:
    what = "Banco de dados"
    from cobrador_desktop.storage.db import open_database
    from cobrador_desktop.storage.migrate import current_revision, head_revision

    try:
        db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    except KnownError as err:
        return CheckLine(Level.FAIL, what, str(err))
    try:
        revision = current_revision(db)
    finally:
        db.close()
    if revision != head_revision():
        return CheckLine(Level.FAIL, what, f"esquema {revision}, esperado {head_revision()}. "
                         "Abra o programa para atualizar o banco.")
    return CheckLine(Level.OK, what, f"{profile.database_label} acessível, esquema atualizado "
                     f"({revision})")


def check_keyring(profile: Profile | None = None) -> CheckLine:
    """Where the WhatsApp secrets are kept on this PC (the keyring, or the owner's choice)."""
    what = "Cofre de senhas do sistema"
    status = keyring_status()
    kind = chosen_kind(profile) if profile is not None else None
    if kind == "file" and profile is not None:
        path = secrets_file(profile)
        if not path.exists():
            return CheckLine(Level.FAIL, what, f"o arquivo de segredos {path} sumiu. Salve o "
                             "token e os segredos de novo em Configurações › Assistente de configuração.")
        return CheckLine(Level.OK, what, f"segredos num arquivo criptografado com senha ({path})")
    if status.available and kind in (None, "keyring"):
        return CheckLine(Level.OK, what, status.backend)
    if status.available:
        return CheckLine(Level.OK, what, f"{status.backend}; por escolha do dono, os segredos "
                         "vêm das variáveis de ambiente WHATSAPP_*")
    return CheckLine(
        Level.WARN, what,
        "nenhum cofre de senhas disponível neste computador, então o token do WhatsApp não "
        "poderá ser salvo nele. Informe-o pelas variáveis de ambiente WHATSAPP_*, guarde-o num "
        "arquivo criptografado com senha (Configurações › Assistente de configuração) ou "
        "instale um cofre (no Linux, gnome-keyring ou KWallet).")


def check_qt_platform() -> CheckLine:
    what = "Interface gráfica (Qt)"
    platform = os.environ.get("QT_QPA_PLATFORM")
    headless = (sys.platform.startswith("linux") and not platform
                and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"))
    if headless:
        return CheckLine(
            Level.WARN, what,
            "sem tela gráfica nesta sessão: a janela não abre aqui. Abra o programa num "
            "computador com tela (para testes, QT_QPA_PLATFORM=offscreen).")
    try:
        result = subprocess.run(qt_probe_command(), capture_output=True, text=True,
                                timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CheckLine(Level.FAIL, what, f"não foi possível testar ({type(exc).__name__}).")
    if result.returncode != 0:
        return CheckLine(
            Level.FAIL, what,
            "o Qt não conseguiu abrir a plataforma gráfica. Reinstale o programa; no Linux, "
            "instale as bibliotecas do sistema (libegl1, libxkbcommon0, libfontconfig1, libdbus-1-3).")
    return CheckLine(Level.OK, what, f"plataforma “{result.stdout.strip()}”")


def qt_probe_command() -> list[str]:
    """How to run this same program as a Qt probe; a plugin that fails may abort the process,
    so the probe runs apart. Frozen, `sys.executable` is the program itself."""
    if getattr(sys, "frozen", False):
        return [sys.executable, QT_PROBE_ARG]
    return [sys.executable, "-m", "cobrador_desktop", QT_PROBE_ARG]


def probe_qt() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication([sys.argv[0]])
    print(app.platformName())
    return 0


def _saved_connection(profile: Profile) -> ConnectionFields | None:
    """The connection the owner saved, or None when the database can't say."""
    from cobrador_desktop.services.connection import load_connection_sync
    from cobrador_desktop.storage.db import open_database

    try:
        db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    except KnownError:
        return None
    try:
        return load_connection_sync(db)
    except Exception:  # an old or damaged database: its own check line says so
        return None
    finally:
        db.close()


def check_cloud_api(profile: Profile | None = None) -> CheckLine:
    what = "API do WhatsApp"
    config = cloud_api_config(*((_saved_connection(profile), store_or_none(profile))
                                if profile is not None else ()))
    if config is None:
        return CheckLine(
            Level.WARN, what,
            "nenhum número conectado ainda. Para experimentar, use “cobrador-desktop demo”; para "
            "conectar o número da loja, salve-o no programa (Configurações › Assistente de "
            "configuração) ou informe WHATSAPP_PHONE_NUMBER_ID e WHATSAPP_ACCESS_TOKEN.")
    import asyncio

    from cobrador_desktop.whatsapp.client import CloudApiClient
    from cobrador_desktop.whatsapp.errors import CloudApiError

    async def read_phone() -> str:
        async with CloudApiClient(config) as client:
            info = await client.phone_info()
        name = info.verified_name or info.display_phone_number or config.phone_number_id
        return f"{name} (qualidade {info.quality_rating or '?'})"

    try:
        return CheckLine(Level.OK, what, f"conectado a {asyncio.run(read_phone())}")
    except CloudApiError as err:
        if err.code is None and err.http_status is None:
            advice = f"sem resposta de {config.base_url}. Confira a internet e tente de novo."
        elif err.http_status == 401 or err.code in (0, 190):
            advice = ("o token de acesso expirou ou é inválido. Gere um token de Usuário do "
                      "Sistema no Gerenciador de Negócios da Meta.")
        elif err.http_status == 404 or err.code in (33, 100):
            advice = ("o identificador do número (WHATSAPP_PHONE_NUMBER_ID) não existe para este "
                      "token. Confira o número no Gerenciador do WhatsApp.")
        else:
            advice = "a API respondeu com erro. Tente de novo mais tarde."
        return CheckLine(Level.FAIL, what,
                         f"{advice} (HTTP {err.http_status or '—'}, código {err.code or '—'})")


def check_backups(profile: Profile) -> CheckLine:
    from cobrador_desktop.app.backup_check import check_backups as check

    return check(profile)


def run_checks(profile: Profile) -> Iterator[CheckLine]:
    data_dir = check_data_dir(profile)
    yield data_dir
    checks: list[Callable[[], CheckLine]] = [lambda: check_keyring(profile), check_qt_platform,
                                             lambda: check_cloud_api(profile)]
    if data_dir.level is not Level.FAIL or profile.sqlite_path is None:
        checks.insert(0, lambda: check_database(profile))
        checks.insert(1, lambda: check_backups(profile))
    for check in checks:
        yield check()
