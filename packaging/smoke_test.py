"""Smoke test of a built executable: it must open the demo, paint, save a screenshot and exit 0.

    python packaging/smoke_test.py dist/CobradorDesktop/CobradorDesktop[.exe]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from version_info import PRODUCT, project_version


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    exe = Path(argv[0])
    with tempfile.TemporaryDirectory() as tmp:
        shot = Path(tmp) / "smoke.png"
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        samples = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "import"
        # the same version as pyproject's, which the spec also wrote into the Windows resource
        expected = f"{PRODUCT} {project_version()}"
        shown = subprocess.run([str(exe), "--version"], env=env, timeout=120, check=False,
                               capture_output=True, text=True, encoding="utf-8")
        if shown.returncode != 0 or shown.stdout.strip() != expected:
            print(f"FALHOU: --version mostrou {shown.stdout.strip()!r} (saída {shown.returncode}), "
                  f"esperado {expected!r}", file=sys.stderr)
            return 1
        for args in (["--data-dir", tmp, "check"],
                     # the spreadsheet readers are bundled: a Windows-1252 CSV and an XLSX
                     ["--data-dir", tmp, "import", str(samples / "shop_cp1252.csv")],
                     ["--data-dir", tmp, "import", str(samples / "formulas_merged.xlsx"),
                      "--sheet", "clientes"],
                     ["--data-dir", tmp, "demo", "--screenshot", str(shot)]):
            result = subprocess.run([str(exe), *args], env=env, timeout=300, check=False)
            if result.returncode != 0:
                print(f"FALHOU: {' '.join(args)} saiu com {result.returncode}", file=sys.stderr)
                return 1
        if not shot.exists() or shot.stat().st_size < 10_000:
            print("FALHOU: a imagem da janela não foi gerada", file=sys.stderr)
            return 1
    print(f"OK: {expected}: o executável abre, confere a instalação, importa planilhas e mostra "
          "a demonstração")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
