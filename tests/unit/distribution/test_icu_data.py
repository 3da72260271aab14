"""The Linux bundle's smaller ICU data (packaging/icu_data.py): what it keeps, that the package it
writes is one ICU reads, and that Qt sorts Portuguese, names the time zone in Portuguese and
decodes Windows-1252 with it while the dropped data is really gone."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _icu_data() -> ModuleType:
    name = "cobrador_packaging_icu_data"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / "icu_data.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _pyside_icu_data() -> Path:
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not sys.platform.startswith("linux") or not found:
        pytest.skip("só o PySide6 do Linux traz a biblioteca de dados do ICU")
    return found[0]


def test_keeps_root_portuguese_english_and_shared_data_only() -> None:
    keep = _icu_data().keep_item
    for name in ("icudt73l/root.res", "icudt73l/pt.res", "icudt73l/pt_BR.res",
                 "icudt73l/coll/pt.res", "icudt73l/coll/ucadata.icu", "icudt73l/zone/pt.res",
                 "icudt73l/en.res", "icudt73l/pool.res", "icudt73l/res_index.res",
                 "icudt73l/coll/res_index.res", "icudt73l/zoneinfo64.res",
                 "icudt73l/metaZones.res", "icudt73l/supplementalData.res",
                 "icudt73l/cnvalias.icu", "icudt73l/nfkc.nrm", "icudt73l/ibm-5348_P100-1997.cnv",
                 "icudt73l/brkitr/word.brk"):
        assert keep(name), name
    for name in ("icudt73l/ja.res", "icudt73l/coll/zh.res", "icudt73l/zone/de_DE.res",
                 "icudt73l/ff_Adlm.res", "icudt73l/gb18030.cnv",
                 "icudt73l/ibm-1390_P110-2003.cnv", "icudt73l/brkitr/cjdict.dict",
                 "icudt73l/unames.icu"):
        assert not keep(name), name


def test_the_filtered_package_holds_the_kept_items_unchanged_and_aligned() -> None:
    icu = _icu_data()
    original = _pyside_icu_data().read_bytes()
    header, items = icu.read_items(original, icu.find_common_data(original))
    package, kept, dropped = icu.reduce_common_data(original)

    new_header, new_items = icu.read_items(package, 0)
    assert new_header == header
    assert [name for name, _ in new_items] == [n for n, _ in items if icu.keep_item(n)]
    assert (kept, dropped) == (len(new_items), len(items) - len(new_items))
    assert dropped > kept > 100
    wanted = dict(items)
    for name, data in new_items[:-1]:  # each item comes back padded to 16 bytes at most
        assert data[:len(wanted[name])] == wanted[name]
        assert not data[len(wanted[name]):].strip(b"\0")
    assert all(package.index(data) % 16 == 0 for _, data in new_items[:20])
    assert len(package) < len(original) // 4


@pytest.mark.slow
def test_qt_sorts_portuguese_and_names_time_zones_with_the_smaller_library(
        tmp_path: Path) -> None:
    original = _pyside_icu_data()
    if shutil.which("gcc") is None and shutil.which("cc") is None:
        pytest.skip("sem compilador C")
    target = tmp_path / original.name
    said = _icu_data().build_library(original, target)
    assert "itens mantidos" in said
    assert target.stat().st_size < original.stat().st_size // 4

    script = textwrap.dedent("""
        import functools
        from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone
        pt = QLocale(QLocale.Language.Portuguese, QLocale.Country.Brazil)
        words = ["zebra", "Ávila", "éter", "abacate", "Eva", "acaso", "ação"]
        print(sorted(words, key=functools.cmp_to_key(QCollator(pt).compare)))
        print(pt.toUpper("ação"))
        zone = QTimeZone(b"America/Sao_Paulo")
        print(zone.displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, pt))
        print(QStringDecoder("windows-1252").isValid(), QStringDecoder("Shift_JIS").isValid())
        print([line.split()[-1] for line in open("/proc/self/maps") if "libicudata" in line][0])
    """)
    # LD_LIBRARY_PATH comes before the $ORIGIN runpath of PySide6's libQt6Core
    env = dict(os.environ, LD_LIBRARY_PATH=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, encoding="utf-8", timeout=60, check=True).stdout.splitlines()

    assert out == [str(["abacate", "ação", "acaso", "Ávila", "éter", "Eva", "zebra"]),
                   "AÇÃO", "Horário Padrão de Brasília", "True False", str(target)]
