"""The Qt user interface (PySide6 + qasync): main window, views, view-models, models, dialogs."""
