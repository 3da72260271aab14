"""Marking user-facing text in the Qt-free layers.

The domain and services cannot import Qt, yet their messages reach the user. They mark text with
`QT_TRANSLATE_NOOP(context, text)`, which `pyside6-lupdate` collects into the `.ts` files; the UI
translates the stored source text with `QCoreApplication.translate(context, text)` when it shows it.
Source text is Brazilian Portuguese.
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Return `text` unchanged; marks it for translation under `context`."""
    del context
    return text
