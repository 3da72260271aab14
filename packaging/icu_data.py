"""A smaller ICU data library for the Linux bundle (PySide6's libicudata.so is ~31 MB).

Qt calls ICU for four things (the ICU symbols libQt6Core imports): sorting (`ucol_*`,
QCollator), upper/lower case (`u_strTo*`, whose tables live in libicuuc itself), time-zone names
(`ucal_*`) and text encodings beyond the ones Qt has built in (`ucnv_*`). The program speaks
Portuguese (and English for Qt's own fallback), so the bundle keeps ICU's data for the root,
Portuguese and English locales, all of ICU's non-locale data (collation tables, time zones,
normalisation, plurals, converter aliases…), and the Western converters (Windows-1252,
ISO-8859-15, the DOS code pages); it drops every other locale's data, the Asian and EBCDIC
converters, the dictionaries for Thai/Lao/Khmer/Burmese/CJK word breaks (Qt breaks text with its
own tables) and the Unicode character names.

`reduce_common_data` filters ICU's common data package (format "CmnD": a header, a table of
contents sorted by name, the items aligned to 16 bytes); `build_library` reads the package out of
the original library (the data of its one symbol, `icudtNN_dat`) and links the filtered one into
a library with the same file name, soname and symbol (gcc, `.incbin`). The spec only calls it for
a bundle that has a libicudata.so (Linux's PySide6 wheels); Windows' bundle is left as it is.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

#: locales whose data stays (each one's parents too: pt_BR → pt → root)
KEEP_LOCALES = frozenset({"root", "pt", "pt_BR", "pt_PT", "en", "en_US", "en_US_POSIX",
                          "en_001"})
#: converters kept, by ICU's file names: Windows-1252, ISO-8859-15, DOS 850/437/860 (Portuguese)
KEEP_CONVERTERS = frozenset({"ibm-5348_P100-1997", "ibm-923_P100-1998", "ibm-850_P100-1995",
                             "ibm-437_P100-1995", "ibm-860_P100-1995"})
#: ICU's files whose names look like a locale but are not one
_NOT_LOCALES = frozenset({"res_index", "pool"})
_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*$")
_ALIGN = 16


class IcuDataError(RuntimeError):
    """The library does not hold ICU common data as expected."""


def keep_item(name: str) -> bool:
    """Whether an item of the package (`icudt73l/coll/pt.res`, `icudt73l/ibm-5348_P100-1997.cnv`)
    stays."""
    base = name.rsplit("/", 1)[-1]
    stem, _, ext = base.rpartition(".")
    if ext == "res" and stem not in _NOT_LOCALES and _LOCALE.match(stem):
        return stem in KEEP_LOCALES
    if ext == "cnv":
        return stem in KEEP_CONVERTERS
    return ext != "dict" and base != "unames.icu"


def find_common_data(blob: bytes) -> int:
    """Offset of the common data package (its header says "CmnD") inside `blob`."""
    at = blob.find(b"CmnD")
    while at != -1:
        start = at - 12  # headerSize, magic (0xda 0x27), UDataInfo's size, reserved, 4 flags
        if start >= 0 and blob[start + 2:start + 4] == b"\xda\x27":
            return start
        at = blob.find(b"CmnD", at + 1)
    raise IcuDataError("não há dados comuns do ICU (CmnD) neste arquivo")


def read_items(blob: bytes, start: int) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The package's header and its items (name, bytes), in the table's order."""
    if blob[start + 8] != 0:  # UDataInfo.isBigEndian
        raise IcuDataError("dados do ICU em big-endian")
    (header_size,) = struct.unpack_from("<H", blob, start)
    toc = start + header_size
    (count,) = struct.unpack_from("<I", blob, toc)
    entries = [struct.unpack_from("<II", blob, toc + 4 + 8 * k) for k in range(count)]
    offsets = [toc + data_at for _, data_at in entries]
    # the table gives no lengths: an item ends where the next begins, the last one at the end
    # of `blob` (with a library's few trailing bytes; ICU's last item is a locale, dropped)
    ends = [*offsets[1:], len(blob)]
    items = []
    for (name_at, _), begin, end in zip(entries, offsets, ends, strict=True):
        name_start = toc + name_at
        name = blob[name_start:blob.index(b"\0", name_start)].decode("ascii")
        items.append((name, blob[begin:end]))
    return blob[start:toc], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """A common data package of `items` (already sorted by name, as ICU's lookup demands)."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    table = 4 + 8 * len(items)
    data_at = _aligned(len(header) + table + len(names)) - len(header)
    entries, body, name_at = [], bytearray(), table
    for name, item in items:
        entries.append(struct.pack("<II", name_at, data_at + len(body)))
        name_at += len(name) + 1
        body += item
        body += b"\0" * (_aligned(len(body)) - len(body))
    toc = struct.pack("<I", len(items)) + b"".join(entries) + names
    padding = b"\0" * (data_at - len(toc))
    return header + toc + padding + bytes(body)


def reduce_common_data(blob: bytes) -> tuple[bytes, int, int]:
    """The package inside `blob` with only the items `keep_item` accepts; also the counts of
    items kept and dropped."""
    start = find_common_data(blob)
    header, items = read_items(blob, start)
    if [name for name, _ in items] != sorted(name for name, _ in items):
        raise IcuDataError("o índice dos dados do ICU não está em ordem")
    kept = [(name, item) for name, item in items if keep_item(name)]
    return write_package(header, kept), len(kept), len(items) - len(kept)


def data_symbol(library: Path) -> str:
    """The library's exported data symbol (`icudt73_dat`), from its file name's version."""
    match = re.match(r"libicudata\.so\.(\d+)", library.name)
    if match is None:
        raise IcuDataError(f"nome inesperado para a biblioteca de dados do ICU: {library.name}")
    return f"icudt{match.group(1)}_dat"


def build_library(original: Path, target: Path, *, compiler: str | None = None) -> str:
    """Write to `target` a copy of the ICU data library `original` holding only what
    `keep_item` accepts; returns a line saying what was kept.

    Raises:
        IcuDataError: the library holds no ICU data as expected, or no C compiler is found.
    """
    compiler = compiler or shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        raise IcuDataError("nenhum compilador C (gcc) para montar os dados reduzidos do ICU")
    package, kept, dropped = reduce_common_data(original.read_bytes())
    symbol = data_symbol(original)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        dat = Path(tmp) / "icudata.dat"
        dat.write_bytes(package)
        source = Path(tmp) / "icudata.S"
        source.write_text(
            f'\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n'
            f'\t.balign {_ALIGN}\n{symbol}:\n\t.incbin "{dat.as_posix()}"\n'
            f'\t.size {symbol}, . - {symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n', encoding="ascii")
        subprocess.run([compiler, "-shared", "-nostdlib", "-fPIC", f"-Wl,-soname,{original.name}",
                        "-Wl,--hash-style=gnu", "-o", str(target), str(source)], check=True)
    mb = 1024 * 1024
    return (f"dados do ICU: {kept} itens mantidos, {dropped} retirados "
            f"({original.stat().st_size / mb:.1f} MB → {target.stat().st_size / mb:.1f} MB)")


def _aligned(size: int) -> int:
    return (size + _ALIGN - 1) // _ALIGN * _ALIGN
