"""The Qt user interface (PySide6 + qasync): main window, views, view-models, models, dialogs."""

from cobrador_desktop.ui._pyside_compat import make_booleans_immortal

# Before any signal is emitted (see the module's docstring for the PySide6 6.12 bug).
make_booleans_immortal()
