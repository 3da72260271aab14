"""The real program, started as a user would, offscreen: demo screenshot, bench marks, bad databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

pytestmark = pytest.mark.slow


def _run(args: list[str], *, env_extra: dict[str, str] | None = None,
         timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "cobrador_desktop", *args], env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_demo_screenshot_shows_the_main_window_with_data(tmp_path: Path) -> None:
    shot = tmp_path / "out.png"
    result = _run(["--data-dir", str(tmp_path / "dados"), "demo", "--screenshot", str(shot)])
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 800 and image.height() >= 500
    # the demo lives in its own folder and never touches the real one
    assert (tmp_path / "dados" / "demo" / "cobrador.db").exists()
    assert not (tmp_path / "dados" / "cobrador.db").exists()
    # a second start reuses the seeded data; --reset recreates it
    again = _run(["--data-dir", str(tmp_path / "dados"), "demo", "--reset",
                  "--screenshot", str(shot)])
    assert again.returncode == 0, again.stderr


def test_gui_prints_bench_marks_and_exits_after(tmp_path: Path) -> None:
    result = _run(["--data-dir", str(tmp_path), "gui", "--exit-after", "3"],
                  env_extra={"COBRADOR_BENCH_MARKS": "1"})
    assert result.returncode == 0, result.stderr
    marks = dict(line.split()[1:3] for line in result.stderr.splitlines()
                 if line.startswith("BENCH "))
    assert {"first_paint", "first_data", "rss"} <= set(marks), result.stderr
    assert float(marks["first_data"]) >= float(marks["first_paint"])
    assert float(marks["rss"]) > 10_000_000


def test_corrupt_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    data = tmp_path / "dados"
    data.mkdir()
    garbage = os.urandom(8192)
    (data / "cobrador.db").write_bytes(garbage)
    result = _run(["--data-dir", str(data), "gui", "--screenshot", str(tmp_path / "x.png")])
    assert result.returncode == 1
    assert "danificado" in result.stderr
    assert "Traceback" not in result.stderr
    assert (data / "cobrador.db").read_bytes() == garbage


def _headless_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"}}
    return env


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux server has no screen")
def test_screenshot_works_on_a_machine_without_a_screen(tmp_path: Path) -> None:
    shot = tmp_path / "out.png"
    result = subprocess.run(
        [sys.executable, "-m", "cobrador_desktop", "--data-dir", str(tmp_path), "demo",
         "--screenshot", str(shot)],
        env=_headless_env(), capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr
    assert not QImage(str(shot)).isNull()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux server has no screen")
def test_window_without_a_screen_is_a_clear_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cobrador_desktop", "--data-dir", str(tmp_path), "gui"],
        env=_headless_env(), capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "Não há tela gráfica" in result.stderr
    assert "Aborted" not in result.stderr and "qt.qpa" not in result.stderr


def test_the_window_receives_webhooks_on_the_shops_own_profile(tmp_path: Path) -> None:
    """With the webhook secrets set, the open window stores what Meta sends, as `serve` would."""
    import sqlite3
    import time

    import httpx

    from cobrador_desktop.whatsapp.webhook.verify import sign
    from tests.e2e.ports import free_port
    from tests.unit.app.test_engine import _inbound_body

    port = free_port()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WHATSAPP_APP_SECRET="segredo",
               WHATSAPP_VERIFY_TOKEN="verifica", COBRADOR_WEBHOOK_PORT=str(port))
    with subprocess.Popen([sys.executable, "-m", "cobrador_desktop", "--data-dir", str(tmp_path),
                           "gui", "--exit-after", "60"], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as window:
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    assert window.poll() is None, "the window exited early"
                    assert time.monotonic() < deadline, "the window never listened"
                    time.sleep(0.2)
            assert health.status_code == 200 and health.json()["sending"] is False
            challenge = httpx.get(f"http://127.0.0.1:{port}/webhook", params={
                "hub.mode": "subscribe", "hub.verify_token": "verifica", "hub.challenge": "42"})
            assert challenge.text == "42"
            raw = _inbound_body("wamid.WINDOW1")
            stored = httpx.post(f"http://127.0.0.1:{port}/webhook", content=raw,
                                headers={"X-Hub-Signature-256": sign(raw, b"segredo")})
            assert stored.status_code == 200
        finally:
            window.terminate()
            window.wait(timeout=30)
    con = sqlite3.connect(tmp_path / "cobrador.db")
    try:
        assert con.execute("SELECT text FROM messages").fetchall() == [("Já paguei",)]
    finally:
        con.close()


def test_demo_screenshot_of_the_inbox_shows_a_conversation_open(tmp_path: Path) -> None:
    """`demo --page caixa --screenshot` pictures the Caixa de entrada with its first conversation
    open: the debtor's and the shop's bubbles are on it."""
    shot = tmp_path / "inbox.png"
    result = _run(["--data-dir", str(tmp_path / "dados"), "demo", "--page", "caixa",
                   "--screenshot", str(shot)])
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert not image.isNull()
    # the shop's messages are green bubbles (message_bubbles: #d9fdd3); the debtor list has none
    green = sum(1 for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
                if image.pixelColor(x, y).name() == "#d9fdd3")
    assert green > 200, green


def test_demo_screenshot_of_resultados_shows_the_charts(tmp_path: Path) -> None:
    """`demo --page resultados --screenshot` waits for the figures and pictures them: the
    weekly and funnel bars are drawn in the brand's teal (#0f766e), which the "próxima versão"
    page never shows."""
    shot = tmp_path / "resultados.png"
    result = _run(["--data-dir", str(tmp_path / "dados"), "demo", "--page", "resultados",
                   "--screenshot", str(shot)])
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert not image.isNull()
    bars = sum(1 for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
               if image.pixelColor(x, y).name() == "#0f766e")
    assert bars > 1000, bars
