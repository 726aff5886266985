"""A configured scan location read by the right source: a path walked, a database (its URL
from the environment variable the policy names) sampled, or tutela's own store. This is the
`ScanRunner` the scanning service, the scheduler and the console share."""

from __future__ import annotations

import os
from pathlib import Path

from tutela.adapters.sources.database import scan_database
from tutela.adapters.sources.options import Progress, ScanOptions
from tutela.adapters.sources.own_store import scan_own_store
from tutela.adapters.sources.scan import scan_paths
from tutela.core.detect import ScanReport
from tutela.core.errors import ScanInputInvalid
from tutela.core.policy.scan_locations import OWN_STORE, ScanLocation
from tutela.services.context import Context
from tutela.services.scanning import Progress as RunProgress
from tutela.services.scanning import ProgressSink, ScanRunner


def own_log_paths(ctx: Context) -> list[Path]:
    """Where tutela's own logs are kept when the service manager writes them to files."""
    folder = ctx.settings.data_dir / "logs"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def runner_for(ctx: Context, *, workers: int = 1) -> ScanRunner:
    def run(location: ScanLocation, sink: ProgressSink) -> ScanReport:
        def on_progress(progress: Progress) -> None:
            sink(RunProgress(progress.locations_done, progress.locations_total, progress.bytes_done))

        if location.name == OWN_STORE:
            published = frozenset({ctx.policy.shop.privacy_contact, ctx.settings.mail_from} - {""})
            return scan_own_store(ctx.engine, own_log_paths(ctx), published=published)
        if location.url_env is not None:
            url = os.environ.get(location.url_env)
            if not url:
                raise ScanInputInvalid(f"scan location '{location.name}': ${location.url_env} is not set",
                                       hint=f"export {location.url_env} with the database URL where tutela serve"
                                       " runs")  # fmt: skip
            tables = list(location.tables) or None
            return scan_database(url, tables=tables, sample=location.sample, on_progress=on_progress)
        assert location.path is not None
        options = ScanOptions(
            include=location.include, exclude=location.exclude, workers=workers, sample_rows=location.sample,
            max_file_bytes=location.max_file_mb * (1 << 20) if location.max_file_mb else None,
        )  # fmt: skip
        return scan_paths([Path(location.path)], options, on_progress=on_progress)

    return run
