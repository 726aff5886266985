"""`tutela policy check|show|apply|history`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tutela.adapters.cli.exit_codes import POLICY_OR_CONFIG
from tutela.adapters.cli.runtime import err, guarded, opened, out, state
from tutela.core.actor import LOCAL_OPERATOR
from tutela.core.errors import PolicyInvalid
from tutela.core.policy import Access, Policy, load_policy
from tutela.services import policy_versions

app = typer.Typer(help="Check, show and change the policy (policy.toml).", no_args_is_help=True)


@app.command("check")
def check(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(help="Policy file (default: the store's policy.toml).")] = None,
) -> None:
    """Validate a policy; every problem is shown with file:line and the fix."""
    path = file or state(ctx).settings().policy_file
    try:
        policy = load_policy(path)
    except PolicyInvalid as problem:
        for line in problem.problems or (str(problem),):
            err.print(f"[bold red]error[/] [dim]policy.invalid[/]: {line}", soft_wrap=True)
        raise typer.Exit(POLICY_OR_CONFIG) from None
    out.print(f"[green]valid[/]: {path} — {len(policy.purposes)} purposes, {len(policy.roles)} roles")


@app.command("show")
def show(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(help="Policy file (default: the store's policy.toml).")] = None,
) -> None:
    """Purposes, categories, retention rules and roles, as tables."""
    path = file or state(ctx).settings().policy_file
    policy = guarded(lambda: load_policy(path))
    _render(policy)


def _render(policy: Policy) -> None:
    out.print(f"[bold]{policy.shop.name}[/] ({policy.shop.country}) — privacy contact {policy.shop.privacy_contact}")
    purposes = Table(
        "purpose", "legal basis", "categories", "sources", "retention", title="Purposes", title_justify="left"
    )
    for p in policy.purposes.values():
        flags = " [magenta](marketing)[/]" if p.marketing else (" [yellow](restricted)[/]" if p.restricted else "")
        purposes.add_row(
            p.key + flags,
            p.legal_basis.value,
            "\n".join(sorted(p.categories)),
            ", ".join(sorted(p.sources)),
            p.retention.text,
        )
    out.print(purposes)
    roles = Table(
        "role", "purpose", "plain", "masked", title="Roles (anything not listed is denied)", title_justify="left"
    )
    for role in policy.roles.values():
        for purpose_key, grants in role.grants.items():
            plain = sorted(c for c, a in grants.items() if a is Access.PLAIN)
            masked = sorted(c for c, a in grants.items() if a is Access.MASKED)
            roles.add_row(
                role.key,
                "every purpose" if purpose_key == "*" else purpose_key,
                "\n".join(plain).replace("*", "every category"),
                "\n".join(masked),
            )
    out.print(roles)


@app.command("apply")
def apply(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="The new policy file.")]) -> None:
    """Validate FILE, make it the store's policy, and audit the change with its diff."""
    with opened(ctx) as store:
        number = guarded(lambda: policy_versions.apply(store, LOCAL_OPERATOR, file))
    if number is None:
        out.print("unchanged: the store already uses this policy")
    else:
        out.print(f"[green]applied[/]: policy version {number}")


@app.command("history")
def history(ctx: typer.Context) -> None:
    """Every version of the policy, when and by whom it was applied."""
    with opened(ctx) as store:
        versions = guarded(lambda: policy_versions.history(store))
    table = Table("version", "applied at (UTC)", "by", "sha256")
    for v in versions:
        table.add_row(str(v.version), v.applied_at.strftime("%Y-%m-%d %H:%M:%S"), v.actor, v.sha256[:16] + "…")
    out.print(table)
