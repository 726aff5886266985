"""`tutela serve`: the REST API (the console and the scheduler join it in later releases)."""

from __future__ import annotations

import importlib
import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer

from tutela.adapters.cli.exit_codes import REFUSED
from tutela.adapters.cli.runtime import err, guarded, out, state
from tutela.core.settings import Settings


def owner_setup_link_by_name(settings: Settings, base_url: str) -> str | None:
    """tutela.server.owner_setup_link, loaded by name like the server itself."""
    function = importlib.import_module("tutela.server").owner_setup_link
    link = function(settings, base_url)
    return str(link) if link else None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to bind (loopback unless TLS or --behind-proxy).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8080,
    tls_cert: Annotated[Path | None, typer.Option(help="TLS certificate (PEM).")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    behind_proxy: Annotated[
        bool, typer.Option("--behind-proxy", help="A TLS-terminating proxy is in front: allow a non-loopback bind.")
    ] = False,
) -> None:
    """Serve the REST API (OpenAPI at /api/openapi.json) and the staff console (/console/)."""
    if (tls_cert is None) != (tls_key is None):
        err.print("[bold red]error[/] usage: --tls-cert and --tls-key go together")
        raise typer.Exit(2)
    if not _is_loopback(host) and tls_cert is None and not behind_proxy:
        err.print(f"[bold red]error[/] serve.insecure_bind: refusing to serve personal data in clear text on {host}")
        err.print("  fix: give --tls-cert and --tls-key, or --behind-proxy when a TLS proxy is in front")
        raise typer.Exit(REFUSED)
    import uvicorn

    settings = state(ctx).settings()
    # The API is loaded by name (adapters do not import each other); it reads the same
    # settings from the environment, so --data-dir is handed over there.
    os.environ["TUTELA_DATA_DIR"] = str(settings.data_dir)
    scheme = "https" if tls_cert else "http"
    base = f"{scheme}://{host}:{port}"
    link = guarded(lambda: owner_setup_link_by_name(settings, base))
    if link:
        out.print(f"[bold]First start[/]: set up the owner account (password + authenticator) at {link}")
    out.print(f"tutela serving on {base} — console at /console/, API docs at /api/docs")
    uvicorn.run(
        "tutela.server:server_from_environment",
        factory=True,
        host=host,
        port=port,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        proxy_headers=behind_proxy,
        access_log=False,  # request lines carry query strings (e-mail lookups): never logged
        loop="uvloop",
        http="httptools",
        log_level="warning",
    )
