"""`tutela retention plan|apply`, `tutela hold add|list|release`, `tutela amazon revoke|status|certificate`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tutela.adapters.cli.runtime import guarded, opened, out
from tutela.adapters.documents import certificate_html, certificate_pdf
from tutela.core.actor import LOCAL_OPERATOR
from tutela.core.errors import InvalidValue
from tutela.core.policy import load_policy
from tutela.services import amazon_revocation, holds, retention_apply, retention_plan

app = typer.Typer(help="Deletion on time: what is due when and why, and deleting it with receipts.",
                  no_args_is_help=True)  # fmt: skip
hold_app = typer.Typer(help="Legal holds: keep a customer's or an order's data past its due time.",
                       no_args_is_help=True)  # fmt: skip
amazon_app = typer.Typer(help="Amazon-specific duties (DPP §1.7 revocation).", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def end_of_day(text: str, option: str) -> datetime:
    """A YYYY-MM-DD date as the end of that day, UTC (a hold 'until 30 June' covers 30 June)."""
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidValue(f"{option} must be a date like 2026-12-31", hint=f"e.g. {option} 2026-12-31") from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _print_json(value: Any) -> None:
    out.print_json(json.dumps(value, default=str))


@app.command("plan")
def plan(
    ctx: typer.Context,
    until: Annotated[str | None, typer.Option(help="Show deletions due up to this date (default: 8 weeks).")] = None,
    customer: Annotated[str | None, typer.Option(help="One customer's records: due time, scope and basis.")] = None,
    policy: Annotated[Path | None, typer.Option(help="A proposed policy file: its effect, before it applies.")] = None,
    as_json: JsonOption = False,
) -> None:
    """What will be deleted, when, and why (nothing is deleted)."""
    with opened(ctx) as store:
        horizon = guarded(lambda: end_of_day(until, "--until")) if until else None
        proposed = guarded(lambda: load_policy(policy)) if policy else None
        found = guarded(lambda: retention_plan.plan(store, until=horizon, customer_id=customer, policy=proposed))
    if as_json:
        _print_json(found.as_dict())
        return
    title = "proposed policy" if found.proposed else "applied policy"
    out.print(f"[bold]Retention plan[/] ({title}), {found.generated_at:%Y-%m-%d %H:%M} UTC to {found.until:%Y-%m-%d}")
    overdue = found.overdue.records
    out.print(f"due now: {found.due_now.records} records, {found.due_now.fields} fields   "
              f"overdue: [{'bold red' if overdue else 'green'}]{overdue}[/]   "
              f"waiting for an event: {sum(found.waiting.values())}   "
              f"untrusted event dates: {found.untrusted_records}")  # fmt: skip
    if found.customer is not None:
        table = Table("purpose", "fields", "due (UTC)", "scope", "why", "hold")
        for row in found.customer:
            table.add_row(row.purpose, str(len(row.categories)),
                          f"{row.due_at:%Y-%m-%d %H:%M}" if row.due_at else "—", row.scope, row.basis,
                          str(row.held_by or ""))  # fmt: skip
        out.print(table)
    elif found.weeks:
        table = Table("week of", "records", "fields", "by purpose")
        for week, counts in sorted(found.weeks.items()):
            purposes = ", ".join(f"{p} {sum(c.values())}" for p, c in sorted(counts.by_purpose.items()))
            table.add_row(week.isoformat(), str(counts.records), str(counts.fields), purposes)
        out.print(table)
    for hold in found.held:
        out.print(f"held by hold {hold.hold_id} until {hold.until:%Y-%m-%d}: {hold.counts.records} records "
                  f"of customer {hold.customer_id} ({hold.reason})")  # fmt: skip


@app.command("apply")
def apply(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what is due now; delete nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete every due field that no hold keeps, with a deletion receipt per batch."""
    with opened(ctx) as store:
        if dry_run:
            found = guarded(lambda: retention_plan.plan(store))
            summary: dict[str, Any] = {"dry_run": True, **found.due_now.as_dict()}
        else:
            result = guarded(lambda: retention_apply.apply(store, actor=LOCAL_OPERATOR))
            summary = {"dry_run": False, **result.as_dict()}
            certificate = guarded(lambda: amazon_revocation.complete_if_done(store, actor=LOCAL_OPERATOR))
            summary["amazon_certificate"] = certificate.revocation_id if certificate else None
    if as_json:
        _print_json(summary)
        return
    if dry_run:
        out.print(f"due now: {summary['records']} records, {summary['fields']} fields (nothing deleted: --dry-run)")
        return
    if summary["clock_moved_back_s"]:
        out.print(f"[yellow]the clock is {summary['clock_moved_back_s']:.0f} s behind the last run; nothing is "
                  "deleted early (recorded in the audit log)[/]")  # fmt: skip
    out.print(f"deleted {summary['fields_deleted']} fields ({summary['records_deleted']} records whole, "
              f"{summary['records_trimmed']} trimmed to their non-Amazon fields); "
              f"{summary['customers_shredded']} customers crypto-shredded; "
              f"receipts: audit events {', '.join(map(str, summary['receipts'])) or 'none'}")  # fmt: skip
    if summary["holds_expired"]:
        out.print(f"holds expired: {', '.join(map(str, summary['holds_expired']))}")
    if summary["amazon_certificate"]:
        out.print(f"Amazon revocation {summary['amazon_certificate']} complete: "
                  f"`tutela amazon certificate {summary['amazon_certificate']}`")  # fmt: skip


@hold_app.command("add")
def hold_add(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="Why (a case number; no personal data).")],
    until: Annotated[str, typer.Option(help="Last day of the hold, YYYY-MM-DD (UTC, inclusive).")],
    customer: Annotated[str | None, typer.Option(help="Hold this customer's data.")] = None,
    order: Annotated[str | None, typer.Option(help="Hold the data of this order's customer.")] = None,
) -> None:
    """Keep a customer's (or an order's customer's) data past its due time."""
    with opened(ctx) as store:
        hold_id = guarded(lambda: holds.add_hold(store, actor=LOCAL_OPERATOR, reason=reason,
                                                 until=end_of_day(until, "--until"), customer_id=customer,
                                                 order_id=order))  # fmt: skip
    out.print(f"[green]hold {hold_id}[/] until {until} (end of day UTC)")


@hold_app.command("list")
def hold_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include released and expired holds.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The holds in force (or every hold with --all)."""
    with opened(ctx) as store:
        found = guarded(lambda: holds.list_holds(store, include_released=all_))
    if as_json:
        _print_json(found)
        return
    table = Table("id", "customer", "order", "reason", "by", "until (UTC)", "state")
    for hold in found:
        state = "active" if hold["active"] else f"released ({hold['released_by']})"
        table.add_row(str(hold["id"]), hold["customer_id"], hold["order_id"] or "", hold["reason"], hold["author"],
                      f"{hold['until']:%Y-%m-%d}", state)  # fmt: skip
    out.print(table)


@hold_app.command("release")
def hold_release(ctx: typer.Context, hold_id: Annotated[int, typer.Argument(help="The hold's id.")]) -> None:
    """End a hold now; held data past its due time is deleted by the next apply."""
    with opened(ctx) as store:
        guarded(lambda: holds.release_hold(store, actor=LOCAL_OPERATOR, hold_id=hold_id))
    out.print(f"hold {hold_id} released")


@amazon_app.command("revoke")
def amazon_revoke(
    ctx: typer.Context,
    within: Annotated[int, typer.Option(help="Days until every Amazon field must be gone (0 to 30).")] = 0,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this deletes all Amazon-sourced data.")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Where to write the certificate.")] = None,
) -> None:
    """DPP §1.7: delete every Amazon-sourced personal field, then certify it (HTML and PDF)."""
    if not yes:
        raise typer.BadParameter("this deletes every Amazon-sourced field; confirm with --yes", param_hint="--yes")
    with opened(ctx) as store:
        done = guarded(lambda: amazon_revocation.revoke_and_delete(store, actor=LOCAL_OPERATOR, within_days=within))
        revocation = done.revocation
        out.print(f"revocation {revocation.id}: {sum(revocation.amazon_fields_at_start.values())} Amazon fields "
                  f"to delete by {revocation.deadline_at:%Y-%m-%d %H:%M} UTC")  # fmt: skip
        if within:
            out.print("they are deleted as they fall due (`tutela retention apply`, hourly inside `tutela serve`)")
            return
        out.print(f"deleted {done.fields_deleted} fields; {done.customers_shredded} customers crypto-shredded")
        certificate = done.certificate
        folder = out_dir or store.settings.data_dir / "certificates"
    if certificate is None:
        out.print("[yellow]some Amazon fields are still held (legal holds); the certificate follows their release[/]")
        return
    _write_certificate(certificate, folder)


@amazon_app.command("status")
def amazon_status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The latest revocation: deadline, Amazon fields left, certificate."""
    with opened(ctx) as store:
        found = guarded(lambda: amazon_revocation.latest(store))
        remaining = guarded(lambda: sum(amazon_revocation.amazon_fields(store).values()))
    facts = {"revocation": found.as_dict() if found else None, "amazon_fields_stored": remaining}
    if as_json:
        _print_json(facts)
        return
    if found is None:
        out.print(f"no revocation; {remaining} Amazon-sourced fields stored")
        return
    state = f"complete {found.completed_at:%Y-%m-%d %H:%M} UTC" if found.completed_at else "open"
    out.print(f"revocation {found.id}: {state}; deadline {found.deadline_at:%Y-%m-%d %H:%M} UTC; "
              f"{remaining} Amazon fields left")  # fmt: skip


@amazon_app.command("certificate")
def amazon_certificate(
    ctx: typer.Context,
    revocation_id: Annotated[int, typer.Argument(help="The revocation's id (see `tutela amazon status`).")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for the HTML and PDF files.")] = None,
) -> None:
    """Write the destruction certificate of a completed revocation (HTML and PDF)."""
    with opened(ctx) as store:
        certificate = guarded(lambda: amazon_revocation.certificate_of(store, revocation_id))
        folder = out_dir or store.settings.data_dir / "certificates"
    _write_certificate(certificate, folder)


def _write_certificate(certificate: Any, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"amazon-destruction-certificate-{certificate.revocation_id}"
    stem.with_suffix(".html").write_text(certificate_html(certificate), encoding="utf-8")
    stem.with_suffix(".pdf").write_bytes(certificate_pdf(certificate))
    out.print(f"[green]certificate[/]: {stem}.html and {stem}.pdf ({certificate.fields_total} fields destroyed; "
              f"audit head {certificate.audit_head_seq})")  # fmt: skip
