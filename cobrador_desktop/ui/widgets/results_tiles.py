"""The Resultados figures as tiles (big value, the counts behind it, the definition on hover)
and the number's two warning lights (opt-outs, wrong party)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.results import (
    OPT_OUT_LIMITS,
    WRONG_PARTY_LIMITS,
    Light,
    Ratio,
    ResultsFigures,
)
from cobrador_desktop.ui.formatting import format_brl, format_count
from cobrador_desktop.ui.viewmodels.results_text import (
    LIGHT_LABELS,
    days_text,
    limits_text,
    of_text,
    opt_out_help,
    percent_text,
    tr,
    translate,
    weeks_of,
    wrong_party_help,
)

LIGHT_COLOURS = {Light.GREEN: "#16a34a", Light.AMBER: "#d97706", Light.RED: "#dc2626"}
COLUMNS = 3


class KpiTile(QFrame):
    """One figure: its name, its value, and what it is made of."""

    def __init__(self, title: str, definition: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsTile")
        self.setToolTip(definition)
        self.title_label = QLabel(title, self)
        self.title_label.setObjectName("resultsTileTitle")
        self.value_label = QLabel("—", self)
        self.value_label.setObjectName("resultsTileValue")
        self.detail_label = QLabel("", self)
        self.detail_label.setObjectName("resultsTileDetail")
        self.detail_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(2)
        layout.addWidget(self.title_label)
        layout.addWidget(self.value_label)
        layout.addWidget(self.detail_label)
        layout.addStretch(1)

    def show_value(self, value: str, detail: str) -> None:
        self.value_label.setText(value)
        self.detail_label.setText(detail)


#: each tile's (title, what it counts), in plain Portuguese
TILE_TEXTS: dict[str, tuple[str, str]] = {
    "recovered": (QT_TRANSLATE_NOOP("ResultsText", "Recuperado"), QT_TRANSLATE_NOOP(
        "ResultsText", "A soma dos pagamentos registrados com data dentro do período.")),
    "overdue": (QT_TRANSLATE_NOOP("ResultsText", "Do valor vencido"), QT_TRANSLATE_NOOP(
        "ResultsText",
        "Quanto foi pago no período das dívidas que já estavam vencidas no primeiro dia "
        "dele, sobre o que essas dívidas ainda deviam naquele dia (dívidas canceladas não "
        "contam).")),
    "days": (QT_TRANSLATE_NOOP("ResultsText", "Dias até pagar"), QT_TRANSLATE_NOOP(
        "ResultsText",
        "Para cada devedor que pagou no período: os dias entre a primeira mensagem que ele "
        "recebeu e o seu primeiro pagamento no período. Mostra a média e a mediana (metade "
        "pagou em menos dias que ela).")),
    "response": (QT_TRANSLATE_NOOP("ResultsText", "Taxa de resposta"), QT_TRANSLATE_NOOP(
        "ResultsText",
        "Dos devedores que receberam mensagem no período, quantos escreveram de volta no "
        "período, depois da primeira delas.")),
    "identity": (QT_TRANSLATE_NOOP("ResultsText", "Identidade confirmada (CPC)"),
                 QT_TRANSLATE_NOOP(
        "ResultsText",
        "Dos contatos (devedor e telefone) que receberam mensagem no período, em quantos a "
        "pessoa certa confirmou ser o devedor (“sou eu”).")),
    "after_reminder": (QT_TRANSLATE_NOOP("ResultsText", "Pagamento após lembrete"),
                       QT_TRANSLATE_NOOP(
        "ResultsText",
        "Dos devedores que receberam um lembrete da régua no período, quantos pagaram no "
        "dia do lembrete ou em até 7 dias depois.")),
}


class KpiTiles(QWidget):
    """The six figures of the period, three to a row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recovered = self._tile("recovered")
        self.overdue = self._tile("overdue")
        self.days = self._tile("days")
        self.response = self._tile("response")
        self.identity = self._tile("identity")
        self.after_reminder = self._tile("after_reminder")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        for index, tile in enumerate(self.tiles()):
            grid.addWidget(tile, index // COLUMNS, index % COLUMNS)
        for column in range(COLUMNS):
            grid.setColumnStretch(column, 1)

    def _tile(self, name: str) -> KpiTile:
        title, help_text = TILE_TEXTS[name]
        return KpiTile(tr(title), tr(help_text), self)

    def tiles(self) -> tuple[KpiTile, ...]:
        return (self.recovered, self.overdue, self.days, self.response, self.identity,
                self.after_reminder)

    def show_figures(self, f: ResultsFigures) -> None:
        weeks = len(weeks_of(f.period))
        self.recovered.show_value(
            format_brl(f.recovered_cents),
            translate("ResultsText", "média de {valor} por semana ({n} semanas)").format(
                valor=format_brl(f.recovered_cents // weeks), n=weeks)
            if f.recovered_cents else translate("ResultsText", "nenhum pagamento no período"))
        owed = f.overdue_recovered
        self.overdue.show_value(
            percent_text(owed),
            translate("ResultsText", "{pago} de {devido} vencidos").format(
                pago=format_brl(owed.numerator), devido=format_brl(owed.denominator))
            if owed.denominator else translate("ResultsText", "nada vencido no início do período"))
        d = f.days_to_pay
        self.days.show_value(
            days_text(d.mean),
            translate("ResultsText", "média · mediana {mediana} · {n} devedor(es)").format(
                mediana=days_text(d.median), n=format_count(d.count))
            if d.count else translate("ResultsText", "nenhum devedor contatado pagou no período"))
        units = (translate("ResultsText", "devedores"), translate("ResultsText", "contatos"),
                 translate("ResultsText", "devedores lembrados"))
        for tile, ratio, unit in zip((self.response, self.identity, self.after_reminder),
                                     (f.response, f.identity_confirmed, f.paid_after_reminder),
                                     units, strict=True):
            tile.show_value(percent_text(ratio), self._of(ratio, unit))

    @staticmethod
    def _of(ratio: Ratio, unit: str) -> str:
        if not ratio.denominator:
            return translate("ResultsText", "ninguém recebeu mensagem no período")
        return f"{of_text(ratio)} {unit}"


class HealthLight(QFrame):
    """A warning light: a coloured dot, the share and its counts, and what the colours mean."""

    def __init__(self, title: str, definition: str, limits: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsLight")
        self.setToolTip(definition)
        self.light: Light | None = None
        self.dot = QLabel("●", self)
        self.dot.setObjectName("resultsLightDot")
        self.title_label = QLabel(title, self)
        self.title_label.setObjectName("resultsTileTitle")
        self.value_label = QLabel("—", self)
        self.value_label.setObjectName("resultsLightValue")
        self.help_label = QLabel(limits, self)
        self.help_label.setObjectName("resultsTileDetail")
        self.help_label.setWordWrap(True)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        head = QHBoxLayout()
        head.addWidget(self.title_label)
        head.addStretch(1)
        texts.addLayout(head)
        texts.addWidget(self.value_label)
        texts.addWidget(self.help_label)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 10, 14, 12)
        row.setSpacing(10)
        row.addWidget(self.dot, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(texts, 1)

    def show_ratio(self, ratio: Ratio, light: Light) -> None:
        self.light = light
        self.dot.setStyleSheet(f"color: {LIGHT_COLOURS[light]}; font-size: 22px;")
        counts = (translate("ResultsText",
                            "{of} números").format(of=of_text(ratio)) if ratio.denominator
                  else translate("ResultsText", "nenhum número recebeu mensagem"))
        self.value_label.setText(f"{tr(LIGHT_LABELS[light])} · {percent_text(ratio)} · {counts}")


class HealthLights(QWidget):
    """Opt-outs and wrong-party marks as warning lights for the number's health."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.opt_out = HealthLight(translate("ResultsText",
                                             "Pedidos para parar (opt-out)"), opt_out_help(),
                                   limits_text(OPT_OUT_LIMITS), self)
        self.wrong_party = HealthLight(translate("ResultsText",
                                                 "Pessoa errada (“não sou eu”)"), wrong_party_help(),
                                       limits_text(WRONG_PARTY_LIMITS), self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        row.addWidget(self.opt_out, 1)
        row.addWidget(self.wrong_party, 1)

    def show_figures(self, f: ResultsFigures) -> None:
        self.opt_out.show_ratio(f.opted_out, f.opt_out_light)
        self.wrong_party.show_ratio(f.wrong_party, f.wrong_party_light)
