"""The composer's words: the 24-hour window's countdown and the send guard's verdict, in pt-BR."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QCoreApplication

from cobrador_desktop.domain.inbox import GuardVerdict
from cobrador_desktop.ui import formatting as fmt

CONTEXT = "Composer"
OPEN, CLOSING, CLOSED = "open", "closing", "closed"


def window_state(closes_at: datetime | None, now: datetime) -> tuple[str, str]:
    """(text, state) of the 24-hour window: `Janela aberta: 3 h 12 min` and `open`; `closing`
    in its last hour; `closed` once it closed (or never opened)."""
    left = (closes_at - now) if closes_at is not None else timedelta(0)
    seconds = int(left.total_seconds())
    if seconds <= 0:
        return (QCoreApplication.translate(
            "Composer", "Janela de 24 h fechada: só modelos aprovados"), CLOSED)
    hours, minutes = divmod(seconds // 60, 60)
    if hours:
        text = QCoreApplication.translate("Composer", "Janela aberta: {h} h {m} min").format(
            h=hours, m=minutes)
    elif minutes:
        text = QCoreApplication.translate("Composer", "Janela aberta: {m} min").format(m=minutes)
    else:
        text = QCoreApplication.translate("Composer", "Janela aberta: {s} s").format(s=seconds)
    return text, (OPEN if seconds >= 3600 else CLOSING)


def verdict_text(verdict: GuardVerdict | None, tz: tzinfo) -> str:
    """The send guard's answer as one line under the box ("" for a plain allow)."""
    if verdict is None:
        return ""
    reasons = " · ".join(message for _code, message in verdict.reasons)
    if verdict.level == "block":
        text = QCoreApplication.translate("Composer", "Não pode enviar agora: {reason}").format(
            reason=reasons or QCoreApplication.translate("Composer", "recusada pela regra de envio"))
        if verdict.retry_at is not None:
            text += " — " + QCoreApplication.translate(
                "Composer", "poderá enviar a partir de {when}.").format(
                when=fmt.format_datetime(verdict.retry_at, tz))
        return text
    if verdict.level == "confirm":
        return QCoreApplication.translate(
            "Composer", "Precisa da confirmação do dono: {reason}").format(reason=reasons)
    if verdict.level == "warn":
        return QCoreApplication.translate("Composer", "Atenção: {reason}").format(reason=reasons)
    return reasons
