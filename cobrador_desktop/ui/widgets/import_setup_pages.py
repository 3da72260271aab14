"""The import wizard's first two pages: choose the file (and sheet), then say which column is what."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.import_columns import (
    MULTI,
    REQUIRED,
    ColumnMapping,
    Field,
    ImportMappingError,
    parse_field,
)
from cobrador_desktop.domain.importing import Cell, cell_text
from cobrador_desktop.ui.formatting import format_count
from cobrador_desktop.ui.viewmodels.ports import LoadedSheet

#: example values shown for each column on the mapping page
EXAMPLES = 3


def field_labels() -> dict[Field | None, str]:
    """What each field is called on screen, in the order the combo boxes offer them."""
    return {
        None: QCoreApplication.translate("ImportWizard", "(ignorar)"),
        Field.NAME: QCoreApplication.translate("ImportWizard", "Nome"),
        Field.DOCUMENT: QCoreApplication.translate("ImportWizard", "CPF/CNPJ"),
        Field.PHONE: QCoreApplication.translate("ImportWizard", "Telefone"),
        Field.EMAIL: QCoreApplication.translate("ImportWizard", "E-mail"),
        Field.DESCRIPTION: QCoreApplication.translate("ImportWizard", "Descrição"),
        Field.AMOUNT: QCoreApplication.translate("ImportWizard", "Valor"),
        Field.DUE_DATE: QCoreApplication.translate("ImportWizard", "Vencimento"),
        Field.EXTERNAL_ID: QCoreApplication.translate("ImportWizard", "Código da dívida"),
    }


def intro_label(text: str) -> QLabel:
    """A paragraph at the top of a page."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("wizardIntro")
    return label


class ImportFilePage(QWidget):
    """Page 1: the file, its sheet (XLSX), and what was detected — or why it cannot be read."""

    #: the "Escolher arquivo…" button was clicked
    choose_requested = Signal()
    #: another sheet of the XLSX was chosen (its name)
    sheet_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText(self.tr("Nenhum arquivo escolhido"))
        self.choose_button = QPushButton(self.tr("Escolher arquivo…"))
        self.choose_button.clicked.connect(self.choose_requested)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.choose_button)

        self.sheet_label = QLabel(self.tr("Aba da planilha:"))
        self.sheet_box = QComboBox()
        self.sheet_box.setMinimumWidth(220)
        self.sheet_box.currentTextChanged.connect(self._on_sheet)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(self.sheet_label)
        sheet_row.addWidget(self.sheet_box)
        sheet_row.addStretch(1)

        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        self.details_label.setObjectName("wizardDetails")
        self.error_title = QLabel()
        self.error_title.setObjectName("wizardErrorTitle")
        self.error_title.setWordWrap(True)
        self.error_hint = QLabel()
        self.error_hint.setWordWrap(True)
        self.error_box = QWidget()
        self.error_box.setObjectName("wizardError")
        error_layout = QVBoxLayout(self.error_box)
        error_layout.addWidget(self.error_title)
        error_layout.addWidget(self.error_hint)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(intro_label(self.tr(
            "Escolha a planilha de clientes exportada do seu sistema ou do Excel: um arquivo CSV "
            "ou XLSX com uma linha de cabeçalho e uma linha por dívida. Nada é gravado antes do "
            "último passo.")))
        layout.addLayout(row)
        layout.addLayout(sheet_row)
        layout.addWidget(self.details_label)
        layout.addWidget(self.error_box)
        layout.addStretch(1)
        self._filling = False
        self.show_sheets(())
        self.error_box.hide()

    def set_path(self, text: str) -> None:
        """Show the chosen file and that it is being read."""
        self.path_edit.setText(text)
        self.error_box.hide()
        self.details_label.setText(self.tr("Lendo o arquivo…"))

    def show_sheets(self, sheets: Sequence[str], current: str | None = None) -> None:
        """Offer an XLSX file's sheets (hidden for a CSV)."""
        self._filling = True
        self.sheet_box.clear()
        self.sheet_box.addItems(list(sheets))
        if current is not None:
            self.sheet_box.setCurrentText(current)
        self._filling = False
        self.sheet_label.setVisible(bool(sheets))
        self.sheet_box.setVisible(bool(sheets))

    def show_loaded(self, loaded: LoadedSheet) -> None:
        """Say what was found: encoding and delimiter (or sheet), and how many data rows."""
        rows = len(loaded.table.rows) - loaded.header_index - 1
        self.error_box.hide()
        self.details_label.setText(self.tr("{described} · {rows} linhas de dados").format(
            described=loaded.table.describe(), rows=format_count(rows)))
        self.show_sheets(loaded.sheets, loaded.table.sheet)

    def show_error(self, message: str, hint: str) -> None:
        """Say why the file cannot be imported, and what to do."""
        self.details_label.setText("")
        self.error_title.setText(message)
        self.error_hint.setText(hint)
        self.error_hint.setVisible(bool(hint))
        self.error_box.show()

    def _on_sheet(self, name: str) -> None:
        if not self._filling and name:
            self.sheet_chosen.emit(name)


class ImportMappingPage(QWidget):
    """Page 2: each column of the file and the field it feeds, changeable with a combo box."""

    #: a column's field changed
    mapping_changed = Signal()

    COLUMN, EXAMPLE, FIELD = range(3)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Coluna da planilha"), self.tr("Exemplos"), self.tr("Importar como")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(self.COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.EXAMPLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.FIELD, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(self.FIELD, 190)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("wizardProblem")
        self.problem_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(intro_label(self.tr(
            "Confira o que cada coluna da planilha contém. Nome, Valor e Vencimento são "
            "obrigatórios; colunas marcadas como “(ignorar)” não são importadas. Pode haver "
            "mais de uma coluna de Telefone.")))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem_label)
        self.boxes: list[QComboBox] = []
        self._header: tuple[str, ...] = ()

    def set_sheet(self, loaded: LoadedSheet) -> None:
        """Fill one line per column, with examples, pre-set to what was recognised."""
        rows = loaded.table.rows
        header_cells = rows[loaded.header_index][1]
        data = [cells for _, cells in rows[loaded.header_index + 1:loaded.header_index + 40]]
        width = max([len(header_cells), *(len(c) for c in data)])
        names = [cell_text(header_cells[i]) if i < len(header_cells) else "" for i in range(width)]
        self._header = tuple(names)
        chosen = _initial_fields(names, loaded.mapping)
        labels = field_labels()
        self.table.setRowCount(width)
        self.boxes = []
        for i, name in enumerate(names):
            shown = name or self.tr("Coluna {number} (sem nome)").format(number=i + 1)
            self.table.setItem(i, self.COLUMN, QTableWidgetItem(shown))
            self.table.setItem(i, self.EXAMPLE, QTableWidgetItem(_examples(data, i)))
            box = QComboBox()
            for field, label in labels.items():
                box.addItem(label, field.value if field else "")
            preset = chosen[i]
            box.setCurrentIndex(box.findData(preset.value if preset else ""))
            box.currentIndexChanged.connect(self._on_changed)
            self.table.setCellWidget(i, self.FIELD, box)
            self.boxes.append(box)
        self._on_changed()

    def fields(self) -> list[Field | None]:
        """The field chosen for each column (None: ignored)."""
        return [Field(b.currentData()) if b.currentData() else None for b in self.boxes]

    def set_field(self, column: int, field: Field | None) -> None:
        """Choose `field` for column `column` (as picking it in the combo box does)."""
        box = self.boxes[column]
        box.setCurrentIndex(box.findData(field.value if field else ""))

    def mapping(self) -> ColumnMapping | None:
        """The mapping chosen, or None while it cannot be used (see `problem`)."""
        if self.problem():
            return None
        columns: dict[Field, list[int]] = {}
        for i, field in enumerate(self.fields()):
            if field is not None:
                columns.setdefault(field, []).append(i)
        header = tuple(n or f"#{i + 1}" for i, n in enumerate(self._header))
        return ColumnMapping(header=header, columns={f: tuple(c) for f, c in columns.items()})

    def problem(self) -> str:
        """Why the mapping cannot be used yet ("" when it can)."""
        labels = field_labels()
        chosen = self.fields()
        missing = [labels[f] for f in REQUIRED if f not in chosen]
        if missing:
            return self.tr("Falta indicar a coluna de: {fields}. Escolha-a na lista "
                           "“Importar como”.").format(fields=", ".join(missing))
        for field in labels:
            if field is not None and field not in MULTI and chosen.count(field) > 1:
                return self.tr("Mais de uma coluna está como {field}: deixe só uma e marque as "
                               "outras como “(ignorar)”.").format(field=labels[field])
        return ""

    def _on_changed(self) -> None:
        self.problem_label.setText(self.problem())
        self.mapping_changed.emit()


def _initial_fields(names: Sequence[str], mapping: ColumnMapping | None) -> list[Field | None]:
    """What was recognised: the file's mapping, else each name on its own (first one wins)."""
    chosen: list[Field | None] = [None] * len(names)
    if mapping is not None:
        for field, columns in mapping.columns.items():
            for i in columns:
                if i < len(chosen):
                    chosen[i] = field
        return chosen
    for i, name in enumerate(names):
        try:
            found = parse_field(name) if name.strip() else None
        except ImportMappingError:
            continue
        if found is not None and (found in MULTI or found not in chosen):
            chosen[i] = found
    return chosen


def _examples(rows: Sequence[Sequence[Cell]], column: int) -> str:
    found: list[str] = []
    for cells in rows:
        text = " ".join(cell_text(cells[column]).split()) if column < len(cells) else ""
        if text and text not in found:
            found.append(text if len(text) <= 40 else text[:39] + "…")
            if len(found) == EXAMPLES:
                break
    return " · ".join(found)
