"""`python -m cobrador_desktop` is the same as the `cobrador-desktop` command."""

from cobrador_desktop.app import main

raise SystemExit(main())
