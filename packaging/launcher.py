"""Entry point of the frozen executable (PyInstaller)."""

from cobrador_desktop.app import main

raise SystemExit(main())
