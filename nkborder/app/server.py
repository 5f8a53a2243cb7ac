"""Serve the app: Solara's Starlette application under uvicorn, in this process (like ``solara run``).

The server binds to loopback unless told otherwise, prints its address, and stops on Ctrl-C (or SIGTERM),
closing the app's Dask cluster. Every request passes :class:`~nkborder.app.guard.Guard` (allowed ``Host``,
same-origin WebSockets, and a token when the app listens beyond loopback). Beyond loopback each browser session
sees only the runs it made, until its user opens the shared results file.
Solara's telemetry and version check are off and its page assets are served
from the installed ``solara-assets`` package when present, so the app works without any network.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import warnings
from pathlib import Path

from nkborder.app.guard import WILDCARDS, Guard, allowed_hosts, is_loopback, new_token
from nkborder.errors import InputError, shorten


def check_port(host: str, port: int) -> None:
    """InputError unless ``port`` can be bound on ``host``."""
    if not 0 < port < 65536:
        raise InputError("--port", str(port), "not a port number", "1 to 65535")
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise InputError("--host", shorten(host), f"not an address of this machine ({exc})",
                         "127.0.0.1, ::1, localhost, 0.0.0.0 or an address of this machine") from None
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise InputError("--host", shorten(host), "not an address of this machine",
                                 "127.0.0.1, ::1, localhost, 0.0.0.0 or an address of this machine") from None
            raise InputError("--port", str(port), f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                             "a free port, e.g. --port 8766") from None


def configure(db: str | Path, backend: str = "auto", private: bool = False) -> None:
    """Settings read by the page and by Solara (before Solara's server modules are imported).

    ``private``: each browser session sees only the runs and experiments it made, until its user opens the
    shared results file (set when the server listens beyond loopback)."""
    os.environ["SOLARA_APP"] = "nkborder.app.pages"
    os.environ["NKBORDER_APP_DB"] = str(Path(db).expanduser().resolve())
    os.environ["NKBORDER_APP_BACKEND"] = backend
    os.environ["NKBORDER_APP_PRIVATE"] = "1" if private else "0"
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ.setdefault("SOLARA_THEME_TITLE", "nkborder")
    os.environ.setdefault("MPLBACKEND", "Agg")
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")  # plain-http loopback
    import solara.server.settings as settings

    settings.telemetry.mixpanel_enable = False
    settings.main.mode = "production"  # no call home, no dev reloader
    settings.theme.title = "nkborder"
    settings.theme.show_banner = False


def guarded_app(host: str, allow_hosts: tuple[str, ...] = (), token: str | None = None) -> Guard:
    """Solara's Starlette application behind the :class:`~nkborder.app.guard.Guard` (call :func:`configure`
    first): requests must name an allowed host, WebSockets come from this server's own pages, and with a token
    every request carries it."""
    from solara.server.starlette import app

    return Guard(app, allowed_hosts(host, allow_hosts), token)


def serve(host: str = "127.0.0.1", port: int = 8765, db: str | Path = "nkborder.duckdb", backend: str = "auto",
          log_level: str = "warning", allow_hosts: tuple[str, ...] = (), token: str | None = None) -> None:
    """Run the app until interrupted.

    Args:
        host: interface to listen on (loopback by default: the app has no login).
        port: TCP port.
        db: the DuckDB results file runs are stored in (created if missing).
        backend: ``auto`` (experiment layer on a local Dask cluster, else in-process), ``dask`` or ``local``.
        log_level: uvicorn's log level.
        allow_hosts: host names the browser may use besides loopback names and ``host`` (e.g. the machine's
            DNS name when ``host`` is ``0.0.0.0``).
        token: needed in the address (``?token=...``) to open the app; ``"auto"`` makes a random one. On an
            address beyond loopback a random token is made if none is given.
    """
    if backend not in ("auto", "dask", "local"):
        raise InputError("--backend", backend, "unknown backend", "auto, dask, local")
    check_port(host, port)
    for name in allow_hosts:
        if not name.strip() or any(ch in name for ch in "/?#@ ") or len(name) > 253:
            raise InputError("--allow-host", shorten(name), "not a host name", "e.g. myserver.example.org")
    if token == "auto" or (token is None and not is_loopback(host)):
        token = new_token()
    elif token is not None and (len(token) < 8 or not token.isprintable() or " " in token):
        raise InputError("--token", "(hidden)", "too short or with spaces", "at least 8 printable characters")
    db_path = Path(db).expanduser()
    if db_path.exists() and db_path.is_dir():
        raise InputError("--db", str(db), "is a directory", "a DuckDB results file")
    configure(db_path, backend, private=not is_loopback(host))
    import uvicorn

    from nkborder.app import cluster

    app = guarded_app(host, allow_hosts, token)
    name = socket.gethostname() if host in WILDCARDS else host
    shown = f"[{name}]" if ":" in name else name
    query = f"?token={token}" if token else ""
    print(f"nkborder app: http://{shown}:{port}/{query}  (results file {db_path.resolve()}; Ctrl-C stops it)",
          flush=True)
    if not is_loopback(host):
        print(f"warning: the app has no login; anyone with the address above (and its token) who can reach this "
              "machine can run models and, from the page's 'Stored runs' tab, open the shared results file (each "
              f"session sees only its own runs until it does); host names accepted: {', '.join(sorted(app.hosts))} "
              "(add more with --allow-host)", file=sys.stderr, flush=True)
    from nkborder.app import assets

    gaps = assets.missing()
    if gaps:
        print("warning: the page's front end is not installed (" + ", ".join(f"{n}@{v}" for n, v in gaps) + "); "
              "Solara will fetch it from a CDN, which fails offline: run `python -m nkborder.app.assets`",
              file=sys.stderr, flush=True)
    try:
        from nkborder.app import storage

        storage.stored_runs(db_path)  # an existing file that cannot be used is reported now
    except Exception as exc:
        print(f"warning: {exc} (the page will say so when it needs the file)", file=sys.stderr, flush=True)
    if backend != "local" and not os.environ.get("NKBORDER_SCHEDULER"):
        cluster.get_cluster()  # starts in the background; the first run waits for it
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="on")
    server = uvicorn.Server(config)
    try:
        server.run()
    finally:
        cluster.shutdown()
