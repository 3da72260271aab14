"""Which column of an imported spreadsheet holds which field (INTERFACES.md §4).

Header names are matched case- and accent-insensitively against known aliases (`Razão Social`,
`CPF/CNPJ`, `Data de vencimento`…); `--map "Coluna X=amount"` overrides the automatic match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.text import fold


class Field(StrEnum):
    """What a column may hold."""

    NAME = "name"
    DOCUMENT = "document"
    PHONE = "phone"
    EMAIL = "email"
    DESCRIPTION = "description"
    AMOUNT = "amount"
    DUE_DATE = "due_date"
    EXTERNAL_ID = "external_id"


#: header names that mean each field (compared after `header_key`)
ALIASES: Mapping[Field, tuple[str, ...]] = {
    Field.NAME: ("nome", "cliente", "devedor", "razão social", "name", "nome do cliente"),
    Field.DOCUMENT: ("cpf", "cnpj", "cpf/cnpj", "cpf cnpj", "documento", "document", "doc"),
    Field.PHONE: ("telefone", "celular", "whatsapp", "fone", "phone", "tel", "telefones"),
    Field.EMAIL: ("e-mail", "email"),
    Field.DESCRIPTION: ("descrição", "produto", "referência", "parcela", "description",
                        "histórico"),
    Field.AMOUNT: ("valor", "valor devido", "saldo", "amount", "valor da parcela"),
    Field.DUE_DATE: ("vencimento", "data de vencimento", "due_date", "due", "data vencimento"),
    Field.EXTERNAL_ID: ("external_id", "id externo", "código", "id", "nosso número"),
}
#: how reports and messages name each field (the `--map` names stay the English values)
FIELD_LABELS: Mapping[Field, str] = {
    Field.NAME: "nome", Field.DOCUMENT: "CPF/CNPJ", Field.PHONE: "telefone",
    Field.EMAIL: "e-mail", Field.DESCRIPTION: "descrição", Field.AMOUNT: "valor",
    Field.DUE_DATE: "vencimento", Field.EXTERNAL_ID: "código externo"}
#: a file is unusable without these
REQUIRED = (Field.NAME, Field.AMOUNT, Field.DUE_DATE)
#: fields several columns may feed (a sheet with "Telefone" and "Celular")
MULTI = frozenset({Field.PHONE})

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(text: str) -> str:
    """A header as compared: folded, punctuation turned to single spaces (`E-mail` -> `e mail`)."""
    return _NON_ALNUM.sub(" ", fold(text)).strip()


_FIELD_BY_KEY: dict[str, Field] = {header_key(a): f for f, names in ALIASES.items() for a in names}
_FIELD_BY_KEY.update({header_key(f.value): f for f in Field})


class ImportMappingError(KnownError):
    """The file's columns cannot be matched to the fields (or a `--map` is wrong)."""

    exit_code = 2
    message_template = QT_TRANSLATE_NOOP("KnownError", "As colunas da planilha não servem: {detail}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Colunas encontradas: {columns}. Renomeie a coluna no arquivo ou indique-a com "
        "--map \"Nome da coluna=campo\" (campos: name, document, phone, email, description, "
        "amount, due_date, external_id). Nada foi gravado.")


@dataclass(frozen=True)
class ColumnMapping:
    """Which columns feed which field.

    Attributes:
        header: the header row as in the file.
        columns: field -> column indexes (several only for phones).
    """

    header: tuple[str, ...]
    columns: Mapping[Field, tuple[int, ...]]

    def describe(self) -> str:
        """`Nome → nome, CPF → CPF/CNPJ, …` in column order, for reports and the wizard."""
        pairs = sorted((i, f) for f, idx in self.columns.items() for i in idx)
        return ", ".join(f"{self.header[i]} → {FIELD_LABELS[f]}" for i, f in pairs)

    @property
    def ignored(self) -> tuple[str, ...]:
        """Non-empty header names no field uses."""
        used = {i for idx in self.columns.values() for i in idx}
        return tuple(h for i, h in enumerate(self.header) if i not in used and h.strip())


def parse_field(text: str) -> Field:
    """A field name as `--map` takes it: `amount`, `due_date`, or any header alias (`valor`)."""
    found = _FIELD_BY_KEY.get(header_key(text))
    if found is None:
        raise ImportMappingError(detail=f"campo desconhecido “{text.strip()}” em --map", columns="—")
    return found


def match_columns(header: Sequence[str], overrides: Sequence[str] = ()) -> ColumnMapping:
    """Decide which column holds which field.

    Args:
        header: the header row.
        overrides: `--map` values, `"Coluna X=amount"`; they win over the automatic match.

    Raises:
        ImportMappingError: an override names no column or no field, or a required field
            (name, amount, due_date) has no column.
    """
    head = tuple("" if h is None else str(h).strip() for h in header)
    keys = [header_key(h) for h in head]
    shown = ", ".join(f"“{h}”" for h in head if h) or "nenhuma"
    forced: dict[int, Field] = {}
    for item in overrides:
        column, sep, target = item.rpartition("=")
        if not sep or not column.strip():
            raise ImportMappingError(detail=f"--map “{item}” não está no formato COLUNA=CAMPO",
                                     columns=shown)
        try:
            wanted = parse_field(target)
        except ImportMappingError:
            raise ImportMappingError(detail=f"campo desconhecido “{target.strip()}” em --map",
                                     columns=shown) from None
        matches = [i for i, k in enumerate(keys) if k == header_key(column)]
        if not matches:
            raise ImportMappingError(detail=f"a coluna “{column.strip()}” de --map não existe",
                                     columns=shown)
        forced[matches[0]] = wanted
    columns: dict[Field, list[int]] = {}
    overridden = set(forced.values())
    for i, key in enumerate(keys):
        target_field = forced.get(i)
        if target_field is None:
            auto = _FIELD_BY_KEY.get(key)
            if auto is None or auto in overridden:
                continue
            target_field = auto
        taken = columns.setdefault(target_field, [])
        if not taken or target_field in MULTI:
            taken.append(i)
    missing = [f"{FIELD_LABELS[f]} ({f.value})" for f in REQUIRED if f not in columns]
    if missing:
        raise ImportMappingError(detail="faltam as colunas de " + ", ".join(missing), columns=shown)
    return ColumnMapping(header=head, columns={f: tuple(i) for f, i in columns.items()})
