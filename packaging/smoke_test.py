"""Smoke test of a built executable: it must open the demo, paint, save a screenshot and exit 0.

    python packaging/smoke_test.py dist/CobradorDesktop/CobradorDesktop[.exe] [--keep PASTA]

Besides the program's own commands it runs the bundle's probe (packaging/frozen_probe.py: a
QtCharts chart painted offscreen, a PDF written with QPdfWriter, QtPdf left out, pt-BR sorting
through Qt's ICU). `--keep` copies the screenshots, the chart, the PDF and the probe's report into
PASTA, to look at them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from version_info import PRODUCT, project_version

#: the probe's switch (packaging/launcher.py)
PROBE_ENV = "COBRADOR_BUNDLE_PROBE"
#: a window's screenshot smaller than this is taken as not painted
MIN_SHOT_BYTES = 10_000


def main(argv: list[str]) -> int:
    keep: Path | None = None
    if len(argv) == 3 and argv[1] == "--keep":
        keep = Path(argv[2])
        argv = argv[:1]
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    exe = Path(argv[0])
    with tempfile.TemporaryDirectory() as tmp:
        shots = [Path(tmp) / "smoke.png", Path(tmp) / "resultados.png"]
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        env.pop(PROBE_ENV, None)
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
                     ["--data-dir", tmp, "demo", "--screenshot", str(shots[0])],
                     # the Resultados screen draws its charts with QtCharts
                     ["--data-dir", tmp, "demo", "--page", "resultados",
                      "--screenshot", str(shots[1])]):
            result = subprocess.run([str(exe), *args], env=env, timeout=300, check=False)
            if result.returncode != 0:
                print(f"FALHOU: {' '.join(args)} saiu com {result.returncode}", file=sys.stderr)
                return 1
        probe_dir = Path(tmp) / "probe"
        probe = subprocess.run([str(exe)], env=dict(env, **{PROBE_ENV: str(probe_dir)}),
                               timeout=120, check=False)
        report = probe_dir / "report.txt"
        print(report.read_text(encoding="utf-8") if report.exists() else "(sem relatório)",
              end="")
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            for path in [*shots, *sorted(probe_dir.glob("*"))]:
                if path.is_file():
                    shutil.copy2(path, keep / path.name)
        if probe.returncode != 0:
            print(f"FALHOU: a verificação do pacote saiu com {probe.returncode}", file=sys.stderr)
            return 1
        for shot in shots:
            if not shot.exists() or shot.stat().st_size < MIN_SHOT_BYTES:
                print(f"FALHOU: a imagem da janela não foi gerada ({shot.name})", file=sys.stderr)
                return 1
    print(f"OK: {expected}: o executável abre, confere a instalação, importa planilhas, mostra "
          "a demonstração e os Resultados, desenha gráficos e grava PDF")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
