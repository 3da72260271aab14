"""Local WhatsApp Cloud API emulator (WHATSAPP_CLOUD_API.md §11): Graph paths, limits, signed webhooks."""

from cobrador_desktop.whatsapp.emulator.server import API_VERSION, Emulator, run_emulator
from cobrador_desktop.whatsapp.emulator.state import EmulatorConfig

__all__ = ["API_VERSION", "Emulator", "EmulatorConfig", "run_emulator"]
