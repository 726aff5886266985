"""`tutela import`: a seller's file into the vault, minimised and validated at the door,
in batches that each commit with a checkpoint — so a run killed at any moment is finished
by running the same command again, and a file imported twice changes nothing."""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, insert, select, update

from tutela.core.actor import Actor
from tutela.core.errors import ImportFileInvalid, ImportFormatUnknown, TutelaError
from tutela.core.formats.catalog import FORMATS, detect
from tutela.core.formats.json_orders import looks_like_json, open_json_orders
from tutela.core.formats.model import ParsedRow
from tutela.core.formats.row_reader import RowReader
from tutela.core.formats.spec import FormatSpec
from tutela.core.formats.table_survey import survey_table
from tutela.core.formats.text_table import open_table
from tutela.core.gc_pause import collect_now, cycle_collector_paused
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.grouped import TransactionGroup
from tutela.core.storage.schema import import_run
from tutela.core.storage.wal_checkpointer import fewer_checkpoints
from tutela.services import amazon_revocation, audit
from tutela.services.column_maps import load_column_map
from tutela.services.context import Context
from tutela.services.import_batch import BatchApplier
from tutela.services.import_routing import Router
from tutela.services.import_tally import Tally

Progress = Callable[[int, int, int], None]  # bytes read, file size, rows read
DEFAULT_BATCH = 5000
_BATCHES_PER_COMMIT = 4  # fewer commits rewrite each randomly placed index page fewer times
_COLLECT_EVERY = 50  # batches between cycle-collector passes (it is paused during a run)


@dataclass(frozen=True)
class ImportReport:
    import_id: int | None
    file: str
    sha256: str
    format: str
    source: str
    dry_run: bool
    already_imported: bool
    resumed_from_row: int
    duration_s: float
    tally: Tally

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "file": self.file,
            "sha256": self.sha256,
            "format": self.format,
            "source": self.source,
            "dry_run": self.dry_run,
            "already_imported": self.already_imported,
            "resumed_from_row": self.resumed_from_row,
            **self.tally.as_dict(),
            "duration_s": round(self.duration_s, 3),
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class _Input:
    """A file being imported, whatever its shape: rows as cells in `header` order."""

    path: Path
    spec: FormatSpec
    header: list[str]
    rows: Callable[[], Iterator[tuple[int, list[str]]]]
    survey: Callable[[], str]  # reads the whole file; refuses a bad one; returns its sha256
    bytes_read: Callable[[], int]
    close: Callable[[], None]


def _open(path: Path, *, encoding: str | None, source: str | None, column_map: Path | None) -> _Input:
    if column_map is None and looks_like_json(path):
        orders = open_json_orders(path)
        _check_source(path, orders.spec, source)
        header = sorted(orders.spec.known_headers())

        def json_rows() -> Iterator[tuple[int, list[str]]]:
            for number, flat in orders.rows():
                yield number, [flat.get(name, "") for name in header]

        return _Input(path, orders.spec, header, json_rows, orders.survey, orders.bytes_read, orders.close)
    table = open_table(path, encoding=encoding)
    try:
        _refuse_duplicate_headers(path, table.header)
        if column_map is not None:
            spec = load_column_map(column_map, header=table.header)
        else:
            spec = detect(table.header, file_name=path.name)
            _check_source(path, spec, source)
    except BaseException:
        table.close()
        raise
    return _Input(path, spec, table.header, table.rows, lambda: survey_table(table).sha256, table.bytes_read,
                  table.close)  # fmt: skip


def _refuse_duplicate_headers(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise ImportFileInvalid(
                f"{path.name} has two columns named '{name}'",
                hint="rename or delete one of them: columns are read by name, so which one is meant is unclear",
            )
        seen.add(name)


def _check_source(path: Path, spec: FormatSpec, source: str | None) -> None:
    if source is not None and spec.source != source:
        raise ImportFormatUnknown(
            f"{path.name} is a {spec.label}, which is {spec.source} data, not {source}",
            hint=f"leave out --source (it is detected), or pass --source {spec.source}",
        )


_NOT_NEEDED = "no purpose needs it"
_UNKNOWN = "unknown column: reported, never stored"


def _note_columns(spec: FormatSpec, header: list[str], tally: Tally) -> None:
    """Whole columns dropped for what they are; their counts are set to the rows read."""
    known = spec.known_headers()
    for column in header:
        if column in spec.unused:
            tally.columns_dropped[column] = {"reason": _NOT_NEEDED, "count": 0}
        elif column not in known:
            tally.columns_dropped[column] = {"reason": _UNKNOWN, "count": 0}


def _count_whole_columns(tally: Tally) -> None:
    for entry in tally.columns_dropped.values():
        if entry["reason"] in {_NOT_NEEDED, _UNKNOWN}:
            entry["count"] = tally.rows_read


def import_file(
    ctx: Context,
    *,
    actor: Actor,
    path: Path,
    source: str | None = None,
    column_map: Path | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Progress | None = None,
    max_batches: int | None = None,
) -> ImportReport:
    """Import one file. `max_batches` stops early, as a crash would (for tests)."""
    if not path.is_file():
        raise ImportFileInvalid(f"no file at {path}", hint="check the path")
    started = time.perf_counter()
    table = _open(path, encoding=encoding, source=source, column_map=column_map)
    try:
        spec = table.spec
        if spec.source == "amazon":
            amazon_revocation.refuse_amazon_data(ctx)
        sha = table.survey()  # a bad file is refused here, before anything is stored
        # The same file read through another column map is another import.
        run_key = sha if column_map is None else hashlib.sha256((sha + file_sha256(column_map)).encode()).hexdigest()
        previous = _run_by_key(ctx, run_key)
        if previous is not None and previous["status"] == "done" and not dry_run:
            return ImportReport(int(previous["id"]), path.name, sha, spec.key, spec.source, False, True, 0,
                                time.perf_counter() - started, Tally())  # fmt: skip
        resume_from = int(previous["rows_done"]) if previous and not dry_run else 0
        tally = Tally.from_dict(json.loads(previous["report"])) if previous and not dry_run else Tally()
        if not resume_from:
            _note_columns(spec, table.header, tally)
        run = _Run(ctx, actor=actor, spec=spec, table=table, sha=sha, tally=tally, batch_size=batch_size,
                   on_progress=on_progress)  # fmt: skip
        with cycle_collector_paused():
            if dry_run:
                run.dry_run()
            else:
                run_id = int(previous["id"]) if previous else run.start(path.name, run_key)
                run.real(run_id, resume_from, max_batches)
    finally:
        table.close()
    return ImportReport(
        None if dry_run else run.run_id, path.name, sha, spec.key, spec.source, dry_run, False, resume_from,
        time.perf_counter() - started, tally,
    )  # fmt: skip


class _Run:
    def __init__(
        self,
        ctx: Context,
        *,
        actor: Actor,
        spec: FormatSpec,
        table: _Input,
        sha: str,
        tally: Tally,
        batch_size: int,
        on_progress: Progress | None,
    ) -> None:
        self.ctx = ctx
        self.actor = actor
        self.spec = spec
        self.table = table
        self.sha = sha
        self.tally = tally
        self.batch_size = batch_size
        self.on_progress = on_progress
        self.run_id: int | None = None
        self.size = table.path.stat().st_size

    def start(self, file_name: str, run_key: str) -> int:
        with transaction(self.ctx.engine) as connection:
            result = connection.execute(
                insert(import_run).values(
                    sha256=run_key, file_name=file_name[:255], format=self.spec.key, source=self.spec.source,
                    actor=self.actor.id, status="running", rows_done=0, report=json.dumps(self.tally.as_dict()),
                    started_at=self.ctx.clock.now(), bytes_total=self.size,
                )
            )  # fmt: skip
            assert result.inserted_primary_key is not None
            run_id = int(result.inserted_primary_key[0])
            audit.record(connection, self.ctx, self.actor, [audit.Event(
                action="import.start", details={"import_id": run_id, "file_sha256": self.sha, "format": self.spec.key},
            )])  # fmt: skip
        return run_id

    def _batches(self, skip_until: int) -> Iterator[list[ParsedRow]]:
        previous: ParsedRow | None = None
        batch: list[ParsedRow] = []
        parse = RowReader(self.spec, self.table.header).parse
        for number, cells in self.table.rows():
            parsed = parse(number, cells, previous)
            previous = parsed
            if number <= skip_until:
                continue
            batch.append(parsed)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.table.bytes_read(), self.size, self.tally.rows_read)

    def real(self, run_id: int, resume_from: int, max_batches: int | None) -> None:
        self.run_id = run_id
        with fewer_checkpoints(self.ctx.engine):
            finished = self._import_batches(run_id, resume_from, max_batches)
        if not finished:
            return
        with transaction(self.ctx.engine) as connection:
            self._checkpoint(connection, None, "done")
            counts = self.tally.batch_counts(Tally())
            audit.record(connection, self.ctx, self.actor, [audit.Event(
                action="import.complete", details={"import_id": run_id, "file_sha256": self.sha, **counts},
            )])  # fmt: skip
        self._progress()

    def _import_batches(self, run_id: int, resume_from: int, max_batches: int | None) -> bool:
        """The file's batches, committed group by group; False when stopped by `max_batches`."""
        applier = BatchApplier(self.ctx, spec=self.spec, router=Router(self.ctx.policy, self.spec.source),
                               run_id=run_id, tally=self.tally, actor=self.actor, file_sha256=self.sha)  # fmt: skip
        group = TransactionGroup(self.ctx.engine, batches=_BATCHES_PER_COMMIT)
        try:
            for done, batch in enumerate(self._batches(resume_from)):
                if max_batches is not None and done >= max_batches:
                    return False
                before = self.tally.copy()
                plans = applier.plan(batch)
                _count_whole_columns(self.tally)
                connection = group.connection()
                applier.apply(connection, plans, self.ctx.clock.now())
                audit.record(connection, self.ctx, self.actor, [audit.Event(
                    action="import.batch",
                    details={"import_id": run_id, "file_sha256": self.sha,
                             "rows": [batch[0].number, batch[-1].number], **self.tally.batch_counts(before)},
                )])  # fmt: skip
                if group.full():
                    self._checkpoint(connection, batch[-1].number, "running")
                    group.commit()
                    self._progress()
                else:
                    group.last_row = batch[-1].number
                if done % _COLLECT_EVERY == _COLLECT_EVERY - 1:
                    collect_now()
            if group.open():
                self._checkpoint(group.connection(), group.last_row, "running")
                group.commit()
        finally:
            group.close()
        return True

    def _checkpoint(self, connection: Connection, rows_done: int | None, status: str) -> None:
        values: dict[str, Any] = {
            "report": json.dumps(self.tally.as_dict()),
            "status": status,
            "bytes_done": self.size if status == "done" else self.table.bytes_read(),
        }
        if rows_done is not None:
            values["rows_done"] = rows_done
        if status == "done":
            values["finished_at"] = self.ctx.clock.now()
        connection.execute(update(import_run).where(import_run.c.id == self.run_id).values(**values))

    def dry_run(self) -> None:
        """Everything a real run does, in one transaction that is rolled back."""
        applier = BatchApplier(self.ctx, spec=self.spec, router=Router(self.ctx.policy, self.spec.source),
                               run_id=None, tally=self.tally)  # fmt: skip
        with transaction(self.ctx.engine) as connection:
            savepoint = connection.begin_nested()
            for batch in self._batches(0):
                applier.apply(connection, applier.plan(batch), self.ctx.clock.now())
                self._progress()
            _count_whole_columns(self.tally)
            savepoint.rollback()
            audit.record(connection, self.ctx, self.actor, [audit.Event(
                action="import.dry_run", outcome="dry_run",
                details={"file_sha256": self.sha, "format": self.spec.key, **self.tally.batch_counts(Tally())},
            )])  # fmt: skip


def _run_by_key(ctx: Context, run_key: str) -> dict[str, Any] | None:
    with read_only(ctx.engine) as connection:
        row = connection.execute(select(import_run).where(import_run.c.sha256 == run_key)).mappings().first()
    return dict(row) if row else None


def import_report(ctx: Context, *, import_id: int) -> dict[str, Any]:
    with read_only(ctx.engine) as connection:
        row = connection.execute(select(import_run).where(import_run.c.id == import_id)).mappings().first()
    if row is None:
        raise ImportFileInvalid(f"no import with id {import_id}", hint="see `tutela import list`")
    return {
        "import_id": row["id"], "file": row["file_name"], "sha256": row["sha256"], "format": row["format"],
        "source": row["source"], "status": row["status"], "rows_done": row["rows_done"], "actor": row["actor"],
        "progress": round(row["bytes_done"] / row["bytes_total"], 3) if row["bytes_total"] else 0.0,
        "started_at": row["started_at"].isoformat(), "finished_at": row["finished_at"].isoformat()
        if row["finished_at"] else None, **json.loads(row["report"]),
    }  # fmt: skip


def list_imports(ctx: Context, *, limit: int = 50) -> list[dict[str, Any]]:
    with read_only(ctx.engine) as connection:
        rows = connection.execute(select(import_run).order_by(import_run.c.id.desc()).limit(limit)).mappings().all()
    return [
        {"import_id": r["id"], "file": r["file_name"], "format": r["format"], "status": r["status"],
         "rows_done": r["rows_done"], "started_at": r["started_at"].isoformat()}
        for r in rows
    ]  # fmt: skip


KNOWN_FORMATS = [spec.key for spec in FORMATS]


@dataclass(frozen=True)
class ImportJob:
    import_id: int
    worker: threading.Thread | None  # None when there was nothing to do (imported before)


def start_import_job(
    ctx: Context, *, actor: Actor, path: Path, on_finish: Callable[[], None] | None = None
) -> ImportJob:
    """Check the file and register its run now (a bad file is refused here, synchronously),
    then import it on a background thread; the run's row shows progress and, at the end,
    the report. `on_finish` runs after the thread is done (e.g. to delete an upload)."""
    first = import_file(ctx, actor=actor, path=path, max_batches=0)
    assert first.import_id is not None
    if first.already_imported:
        if on_finish:
            on_finish()
        return ImportJob(first.import_id, None)

    def work() -> None:
        try:
            import_file(ctx, actor=actor, path=path)  # resumes the run registered above
        except TutelaError:
            pass  # the run stays "running" with its last checkpoint; importing the file again resumes it
        finally:
            if on_finish:
                on_finish()

    worker = threading.Thread(target=work, name=f"tutela-import-{first.import_id}", daemon=True)
    worker.start()
    return ImportJob(first.import_id, worker)


def upload_folder(ctx: Context) -> Path:
    """A new private folder for one upload, inside the data directory: an upload whose import
    was interrupted by a stop is still there when the server starts again."""
    root = ctx.settings.data_dir / "uploads"
    root.mkdir(mode=0o700, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="upload-", dir=root))


MAX_UPLOAD_BYTES = 512 * 1024 * 1024


class UploadTooLarge(ImportFileInvalid):
    """An upload over MAX_UPLOAD_BYTES (same code; the console answers 413)."""


def save_upload(ctx: Context, *, name: str, stream: BinaryIO) -> Path:
    """An uploaded file, copied into its own folder under DATA_DIR/uploads, size-limited."""
    folder = upload_folder(ctx)
    path = folder / (Path(name).name or "upload.txt")
    copied = 0
    try:
        with path.open("wb") as target:
            while chunk := stream.read(1 << 20):
                copied += len(chunk)
                if copied > MAX_UPLOAD_BYTES:
                    raise UploadTooLarge(
                        "the upload is larger than 512 MB", hint="import it with `tutela import` instead"
                    )
                target.write(chunk)
        if copied == 0:
            raise ImportFileInvalid(f"{path.name} is empty", hint="upload the exported report")
    except BaseException:
        discard_upload(path)
        raise
    return path


def discard_upload(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)


def resume_uploads(ctx: Context, *, actor: Actor) -> list[ImportJob]:
    """Start again every upload left by a stopped server (each resumes from its checkpoint)."""
    root = ctx.settings.data_dir / "uploads"
    jobs = []
    for folder in sorted(root.glob("upload-*")) if root.is_dir() else []:
        files = [f for f in folder.iterdir() if f.is_file()]
        if len(files) != 1:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        try:
            jobs.append(
                start_import_job(ctx, actor=actor, path=files[0], on_finish=functools.partial(discard_upload, files[0]))
            )
        except TutelaError:
            shutil.rmtree(folder, ignore_errors=True)  # a file that cannot be imported is not kept
    return jobs
