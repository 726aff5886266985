"""What every command shares: settings from options and environment, opening the store,
and turning errors into one line and an exit code (never a traceback for a user mistake)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypeVar

import typer
from rich.console import Console

from tutela.adapters.cli.exit_codes import INTERNAL, exit_code_for
from tutela.core.clock import SystemClock
from tutela.core.errors import TutelaError
from tutela.core.settings import Settings, load_settings
from tutela.services.context import Context
from tutela.services.store import open_store

# Piped output (files, CI logs) is not wrapped at 80 columns: rows stay whole for grep.
_width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS") or 160)
out = Console(highlight=False, soft_wrap=True, width=_width)
err = Console(stderr=True, highlight=False, soft_wrap=True, width=_width)

T = TypeVar("T")


@dataclass
class CliState:
    data_dir: Path | None = None

    def settings(self) -> Settings:
        return load_settings(data_dir=self.data_dir)


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj


def fail(error: TutelaError) -> NoReturn:
    err.print(f"[bold red]error[/] [dim]{error.code}[/]: {error.message}", soft_wrap=True)
    if error.hint:
        err.print(f"  fix: {error.hint}", soft_wrap=True)
    raise typer.Exit(exit_code_for(error))


def guarded(action: Callable[[], T]) -> T:
    try:
        return action()
    except TutelaError as error:
        fail(error)
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        if os.environ.get("TUTELA_DEBUG"):
            raise
        err.print(
            f"[bold red]internal error[/]: {type(exc).__name__}; nothing more is shown because it may quote"
            " data — rerun with TUTELA_DEBUG=1 to see the traceback, and report it",
            soft_wrap=True,
        )
        raise typer.Exit(INTERNAL) from None


@contextmanager
def opened(ctx: typer.Context) -> Iterator[Context]:
    store: Context | None = None
    try:
        store = guarded(lambda: open_store(state(ctx).settings(), SystemClock()))
        yield store
    finally:
        if store is not None:
            store.close()


def split_assignments(pairs: list[str]) -> dict[str, str]:
    """`--field user.name=Ada` pairs into a dict; the value may contain '='."""
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            err.print(f"[bold red]error[/] usage: --field needs CATEGORY=VALUE (got '{key.strip()}…')")
            raise typer.Exit(2)
        fields[key.strip()] = value
    return fields
