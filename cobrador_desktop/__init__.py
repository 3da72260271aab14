"""Cobrador Desktop: console de cobrança pelo WhatsApp para pequenas lojas."""

__version__ = "0.1.0"
APP_NAME = "CobradorDesktop"
