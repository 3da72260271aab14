"""A throwaway PostgreSQL server for the test suite (standard library only, used by `dev.py test`).

When `COBRADOR_TEST_POSTGRES_URL` is not set and PostgreSQL's server programs are installed
(`initdb` and `pg_ctl` on PATH, or Debian's `/usr/lib/postgresql/<version>/bin`), the test command
creates a cluster in a temporary folder, starts it on a free port of 127.0.0.1, runs the tests
against it and removes it afterwards. PostgreSQL refuses to run as root: as root, the cluster
belongs to the `postgres` user that the server package creates.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

USER = "cobrador"


def _server_bin() -> Path | None:
    """The folder holding `initdb` and `pg_ctl`, newest version first; None when not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: [int(x) for x in p.parent.parent.name.split(".")
                                     if x.isdigit()])
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix, uid and gid to run the server with (root hands it to `postgres`)."""
    if os.geteuid() != 0:
        return [], None, None
    import pwd

    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        return [], None, None  # initdb will say it cannot run as root
    runuser = shutil.which("runuser")
    prefix = [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-s", "/bin/sh",
                                                                 "-c"]
    return prefix, entry.pw_uid, entry.pw_gid


def _run(prefix: list[str], args: list[str]) -> None:
    if prefix and prefix[0] == "su":  # su takes one shell command line
        import shlex

        args = [shlex.join(args)]
    subprocess.run([*prefix, *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


@contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    """Yield the SQLAlchemy URL of a fresh server, or None when PostgreSQL is not installed or
    the server could not start (the reason is printed; the PostgreSQL tests are then skipped)."""
    bindir = _server_bin()
    if bindir is None:
        yield None
        return
    prefix, uid, gid = _as_server_user()
    folder = Path(tempfile.mkdtemp(prefix="cobrador-pg-"))
    data, sockets = folder / "data", folder / "run"
    sockets.mkdir()
    if uid is not None and gid is not None:
        for path in (folder, sockets):
            os.chown(path, uid, gid)
    port = _free_port()
    started = False
    try:
        try:
            _run(prefix, [str(bindir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust",
                          "-E", "UTF8", "--no-locale"])
            _run(prefix, [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l",
                          str(folder / "server.log"), "-o",
                          f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 "
                          "-c fsync=off -c max_connections=200", "start"])
            started = True
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = (getattr(exc, "stderr", b"") or b"").decode(errors="replace").strip()
            print(f"PostgreSQL temporário não iniciou ({exc}; {detail}): os testes de "
                  "PostgreSQL serão pulados.", flush=True)
            yield None
            return
        print(f"PostgreSQL temporário em 127.0.0.1:{port} ({bindir}) para os "
              "testes.", flush=True)
        yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}/postgres"
    finally:
        if started:
            with suppress(OSError, subprocess.CalledProcessError):
                _run(prefix, [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                              "stop"])
        shutil.rmtree(folder, ignore_errors=True)
