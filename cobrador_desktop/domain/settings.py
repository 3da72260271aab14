"""The shop's settings kept in its database: each declared once, here (STYLE.md #8).

A setting is one row of the `settings` table (a key and a JSON object, `{"value": …}`), shared
by every PC on the same database. Its declaration holds everything about it: key, type, default,
limits, the caption a settings screen shows and what it does. `storage.repos.settings` reads
and writes them; nothing else spells a key or a default. Secrets never live here (OS keyring),
nor the window's geometry (QSettings).
"""

from __future__ import annotations

from dataclasses import dataclass

from cobrador_desktop.domain.errors import InvalidInput
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP


class SettingOutOfRange(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "“{value}” não serve para “{setting}”: use um número inteiro de {minimum} "
        "a {maximum}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Corrija o valor; enquanto isso vale o padrão ({default}).")


@dataclass(frozen=True, slots=True)
class IntSetting:
    """A whole-number setting: its key, default, limits, caption and meaning."""

    #: the `settings` row it lives in
    key: str
    default: int
    minimum: int
    maximum: int
    #: what a settings screen calls it (pt-BR, for Qt's translation: context "Settings")
    caption: str
    #: what it changes, for whoever reads the code
    doc: str

    def check(self, value: object) -> int:
        """`value` when it is a whole number within the limits.

        Raises:
            SettingOutOfRange: anything else (a bool, a float, text, out of range).
        """
        if isinstance(value, bool) or not isinstance(value, int) or not (
                self.minimum <= value <= self.maximum):
            raise SettingOutOfRange(value=value, setting=self.caption, minimum=self.minimum,
                                    maximum=self.maximum, default=self.default)
        return value


AGREEMENT_BREAK_AFTER_DAYS = IntSetting(
    key="agreement_break_after_days", default=30, minimum=1, maximum=365,
    caption=QT_TRANSLATE_NOOP("Settings", "Romper acordo após quantos dias de atraso"),
    doc="An agreement is broken (unpaid instalments cancelled, the debts it replaced open again) "
        "when an instalment or the down payment is still unpaid more than this many days after "
        "its due date. The daily upkeep and opening a debtor both apply it.")

#: every setting, for a settings screen and for tests
SETTINGS: tuple[IntSetting, ...] = (AGREEMENT_BREAK_AFTER_DAYS,)
