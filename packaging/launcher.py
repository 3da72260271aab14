"""Entry point of the frozen executable (PyInstaller).

With `COBRADOR_BUNDLE_PROBE=<pasta>` in the environment it checks what the bundle carries instead
of starting the program (packaging/frozen_probe.py); only packaging/smoke_test.py sets it.
"""

import os

if os.environ.get("COBRADOR_BUNDLE_PROBE"):
    from frozen_probe import main as probe

    raise SystemExit(probe(os.environ["COBRADOR_BUNDLE_PROBE"]))

from cobrador_desktop.app import main

raise SystemExit(main())
