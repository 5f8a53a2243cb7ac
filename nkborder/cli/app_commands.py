"""The ``app`` command: the web app (Solara) in this process."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``app`` command to ``app``."""
    app.command("app")(app_command)


def app_command(
    host: Annotated[str, typer.Option(help="interface to listen on (default: loopback only; the app has no login)")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8765,
    db: Annotated[str, typer.Option(help="DuckDB results file the app stores runs in")] = "nkborder.duckdb",
    backend: Annotated[str, typer.Option(
        help="auto: experiments on a local Dask cluster, in-process if that fails; dask; local (in-process)")]
    = "auto",
    allow_host: Annotated[list[str] | None, typer.Option(
        help="a host name browsers may use to reach the app besides loopback names and --host; repeatable")]
    = None,
    token: Annotated[str | None, typer.Option(
        help="secret needed in the address to open the app (auto: a random one; made anyway when --host is "
             "not loopback)")] = None,
) -> None:
    """Start the web app: edit scenarios, run them, compare what-ifs, map the cities, browse stored runs."""
    from nkborder.app.server import serve

    serve(host=host, port=port, db=db, backend=backend, allow_hosts=tuple(allow_host or ()), token=token)
