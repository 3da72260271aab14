"""The phones list in a narrow pane (the inbox's debtor panel): long labels wrap."""

from __future__ import annotations

from datetime import UTC

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.records import PhoneState
from cobrador_desktop.ui.widgets.debtor_phones import PhonesPanel


def _reference(label: str) -> PhoneState:
    return PhoneState(
        phone_id=2, e164="+5519994190843", kind="mobile", role="reference", label=label,
        whatsapp="unknown", whatsapp_checked_at=None, opted_out=False, opted_out_at=None,
        opt_out_source=None, opt_in_source=None, opt_in_at=None, suppressed=False,
        suppression_source=None, never_message=True, wrong_party=False, wrong_party_at=None,
        cpc_status="unverified", shared=False)


def test_a_long_phone_label_wraps_instead_of_widening_the_panel(qtbot: QtBot) -> None:
    panel = PhonesPanel(UTC)
    qtbot.addWidget(panel)
    panel.set_phones((_reference("Referência – irmã da devedora, liga depois das 18h"),))
    # the number and its label no longer need more room than the state badges below them
    badges = panel.findChild(QLabel, "phoneBadges")
    assert badges is not None
    assert panel.minimumSizeHint().width() <= badges.minimumSizeHint().width()
