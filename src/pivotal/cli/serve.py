"""``pivotal serve``: the local web app, on loopback unless told otherwise."""

from __future__ import annotations

import ipaddress
import threading
import webbrowser
from typing import Annotated

import typer

from pivotal.cli.common import app, err, styled, user_errors


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str) -> list[str] | None:
    """Host headers to accept: the loopback names when bound to loopback (a guard against DNS rebinding)."""
    if not is_loopback(host):
        return None
    bare = host.strip("[]")
    return sorted({"localhost", "127.0.0.1", "[::1]", f"[{bare}]" if ":" in bare else bare})


@app.command()
@user_errors
def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to bind; anything but loopback lets other machines run and read runs."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the app in a web browser.")] = False,
) -> None:
    """Run the web app: pick or upload a scenario, change parameters, run, compare, download."""
    import uvicorn

    from pivotal.store import RunStore
    from pivotal.web import create_app

    if not is_loopback(host):
        err.print(
            styled(
                ("warning:", "bold yellow"),
                f" binding to {host}: anyone who can reach this machine on port {port} can start "
                "runs and read every recorded run; there is no login. Use the default 127.0.0.1 "
                "unless you mean it.",
            ),
            highlight=False,
            soft_wrap=True,
        )
    url_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{'[' + url_host + ']' if ':' in url_host else url_host}:{port}/"
    err.print(
        f"pivotal web app on {url} — runs are recorded in {RunStore().path}; Ctrl-C stops it", highlight=False
    )
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(create_app(allowed_hosts=allowed_hosts(host)), host=host, port=port, log_level="warning")
