"""Qt translations: the program's own `.qm` and Qt's, so standard buttons speak Portuguese.

Source strings are Brazilian Portuguese, so a missing `cobrador_pt_BR.qm` changes nothing visible;
another language is one `.ts` file translated and compiled by `scripts/dev.py`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from cobrador_desktop.ui.resources import resources_dir

log = logging.getLogger("cobrador.ui")

DEFAULT_LANGUAGE = "pt_BR"


def translations_dir() -> Path:
    """`resources/translations`, where the `.ts` sources and compiled `.qm` files live."""
    return resources_dir() / "translations"


def _qt_translation_dirs() -> list[Path]:
    # Qt's own catalogues: beside the Qt libraries, or bundled with our resources when frozen.
    return [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
            translations_dir()]


def install_translators(app: QCoreApplication,
                        language: str = DEFAULT_LANGUAGE) -> list[QTranslator]:
    """Load and install the translators for `language`; keep the returned list alive.

    Args:
        app: the application.
        language: a Qt locale name such as "pt_BR" or "en".

    Returns:
        The installed translators (Qt does not own them: dropping them uninstalls nothing but
        frees them, so the caller holds the list for the life of the application).
    """
    QLocale.setDefault(QLocale(language))
    installed: list[QTranslator] = []
    for directory in _qt_translation_dirs():
        translator = QTranslator(app)
        if translator.load(f"qtbase_{language}", str(directory)):
            app.installTranslator(translator)
            installed.append(translator)
            break
    else:
        log.info("Qt's own %s translation not found; standard buttons stay in English", language)
    ours = QTranslator(app)
    if ours.load(f"cobrador_{language}", str(translations_dir())):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.info("cobrador_%s.qm not found in %s (run scripts/dev.py to build it)",
                 language, translations_dir())
    return installed
