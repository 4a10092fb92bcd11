"""The `harmwatch` command: a thin layer over the library (one command, one function)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .. import settings
from ..errors import HarmWatchError, InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="markdown",
                  help="HarmWatch: turn reports of harm to civilians into sourced, geocoded incident claims.")
gazetteer_app = typer.Typer(no_args_is_help=True, help="Manage the gazetteer (place names).")
app.add_typer(gazetteer_app, name="gazetteer")
from .admin import register as _register_admin  # noqa: E402  user, token, audit (cli/admin.py)
_register_admin(app)
from .incidents import register as _register_incidents  # noqa: E402  resolve, incidents, incident, claim
_register_incidents(app)
from .web import register as _register_web  # noqa: E402  serve (cli/web.py)
_register_web(app)
from .train import register as _register_train  # noqa: E402  train (cli/train.py)
_register_train(app)
from .evidence import register as _register_evidence  # noqa: E402  evidence, bundle (cli/evidence.py)
_register_evidence(app)
from .assess import register as _register_assess  # noqa: E402  flags, objects (cli/assess.py)
_register_assess(app)
from .db import register as _register_db  # noqa: E402  db upgrade, db info (cli/db.py)
_register_db(app)
from .report import register as _register_report  # noqa: E402  report (cli/report.py)
_register_report(app)
err = Console(stderr=True)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)  # tables stay readable in pipes and logs


class State:
    db: str | None = None
    archive: str | None = None


@app.callback()
def main(
    db: Optional[str] = typer.Option(None, "--db", envvar=settings.DB.env, help=settings.DB.help, show_default=settings.DB.default),
    archive: Optional[str] = typer.Option(None, "--archive", envvar=settings.ARCHIVE.env, help=settings.ARCHIVE.help),
) -> None:
    State.db, State.archive = db, archive


FOLLOW_LINKS_HELP = ("Follow symbolic links that point outside the folders given, and read manifest files "
                     "outside the manifest's folder (by default they are skipped and reported).")


def _open_db():
    from ..store.db import Database
    return Database.open(settings.DB.value(State.db), archive_dir=State.archive)


def _fail(e: Exception, code: int = 2):
    err.print(f"[red]error:[/red] {e}")
    raise typer.Exit(code)


EXECUTOR_HELP = ("Where extraction runs: local (this process) or dask (Dask workers; a LocalCluster unless "
                 "--scheduler). Needs the dask extra: pip install 'harmwatch[dask]'. See docs/scaling.md.")
SCHEDULER_HELP = "With --executor dask: address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786."
WORKERS_HELP = "With --executor dask and no --scheduler: worker processes of the LocalCluster (default: one per core)."


def _run_ingest(paths: list[Path], manifest: Optional[Path], extract: bool = True, reextract: bool = False,
                follow_links: bool = False, executor: str = "local", scheduler: Optional[str] = None,
                workers: Optional[int] = None):
    from ..extract.pipeline import default_extractor
    from ..ingest import load_manifest
    from ..ingest.executors import make_executor
    db = _open_db()
    man = load_manifest(manifest) if manifest else None
    if workers is not None and (executor != "dask" or scheduler):
        raise InputError("--workers sizes the LocalCluster of --executor dask (not with --scheduler)")
    runner = make_executor(executor, scheduler, workers)
    try:
        return _run_ingest_with(db, paths, man, extract, reextract, follow_links, runner, default_extractor)
    finally:
        runner.close()


def _run_ingest_with(db, paths, man, extract, reextract, follow_links, runner, default_extractor):
    from ..ingest import ingest
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("ingesting", total=None)

        def on_progress(total, done, path):
            progress.update(task, total=total, completed=done, description=f"ingesting {Path(str(path)).name[:40]}")

        report = ingest(paths, db, manifest=man, extractor=default_extractor() if extract else None,
                        on_progress=on_progress, reextract=reextract, follow_links=follow_links,
                        executor=runner)
    from rich.markup import escape
    for n in report.notices:
        err.print(f"[yellow]{'note' if n.kind == 'language' else 'skipped'}:[/yellow] {escape(n.message)}")
    for f in report.failed:
        err.print(f"[red]failed:[/red] {escape(f.path)}: {escape(f.message)}")
    return db, report


@app.command("ingest")
def ingest_cmd(
    paths: list[Path] = typer.Argument(None, help="Files or folders (.txt .md .html .pdf .json .jsonl)."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", "-m", help="CSV with columns file,doc_id,title,publisher,published,url,language."),
    no_extract: bool = typer.Option(False, "--no-extract", help="Store the documents only; do not extract claims."),
    reextract: bool = typer.Option(False, "--reextract", help="Extract again from documents already stored."),
    follow_links: bool = typer.Option(False, "--follow-links", help=FOLLOW_LINKS_HELP),
    executor: str = typer.Option("local", "--executor", help=EXECUTOR_HELP),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help=WORKERS_HELP),
) -> None:
    """Store documents (archived, hashed, versioned) and extract their incident claims.

    Example: `harmwatch ingest reports/ --manifest reports/manifest.csv`

    On Dask workers: `harmwatch ingest reports/ --executor dask --workers 2`
    """
    try:
        db, report = _run_ingest(paths or [], manifest, extract=not no_extract, reextract=reextract,
                                 follow_links=follow_links, executor=executor, scheduler=scheduler,
                                 workers=workers)
    except HarmWatchError as e:
        _fail(e)
    err.print(f"new {report.new}, new versions {report.new_version}, unchanged {report.unchanged}, failed {len(report.failed)}")
    if not no_extract:
        from ..resolve.service import resolve
        try:
            r = resolve(db)
        except HarmWatchError as e:
            _fail(e)
        err.print(f"incidents {r.incidents} from {r.claims} claims")
    if report.failed:
        raise typer.Exit(1)


@app.command("extract")
def extract_cmd(
    paths: list[Path] = typer.Argument(None, help="Files or folders to ingest and extract."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", "-m", help="CSV with columns file,doc_id,title,publisher,published,url,language."),
    link: bool = typer.Option(False, "--link", help="Give claims about the same incident a shared incident_id."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl (one object per document) or table."),
    follow_links: bool = typer.Option(False, "--follow-links", help=FOLLOW_LINKS_HELP),
    executor: str = typer.Option("local", "--executor", help=EXECUTOR_HELP),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help=WORKERS_HELP),
) -> None:
    """Ingest documents and print their claims: one JSON object per document.

    Example: `harmwatch extract reports/ --manifest reports/manifest.csv --link --format jsonl`

    On a Dask cluster: `harmwatch extract reports/ --executor dask --scheduler tcp://10.0.0.5:8786`
    """
    from ..api import extractions_for
    if fmt not in ("jsonl", "table"):
        _fail(ValueError(f"unknown format {fmt!r}: use jsonl or table"))
    try:
        db, report = _run_ingest(paths or [], manifest, follow_links=follow_links, executor=executor,
                                 scheduler=scheduler, workers=workers)
        results = extractions_for(db, [s.source_id for s in report.sources], link=link)
    except HarmWatchError as e:
        _fail(e)
    _print_results(results, fmt)
    if report.failed:
        raise typer.Exit(1)


def _print_results(results, fmt: str) -> None:
    if fmt == "jsonl":
        for ex in results:
            sys.stdout.write(json.dumps(ex.to_contract(), ensure_ascii=False) + "\n")
    else:
        _print_table(results)


def _print_table(results) -> None:
    table = Table(title="Incident claims", show_lines=False)
    for col in ("doc", "date", "time", "place", "admin1", "weapon", "class", "objects", "killed", "injured", "source"):
        table.add_column(col, overflow="fold")
    for ex in results:
        for c in ex.incidents:
            table.add_row(ex.doc_id, c.date or "", c.time or "", c.place or "", c.admin1 or "", c.weapon or "",
                          c.weapon_class, ", ".join(c.objects), "" if c.killed is None else str(c.killed),
                          "" if c.injured is None else str(c.injured), c.source or "")
    out.print(table)
    tallies = [(ex.doc_id, t) for ex in results for t in ex.tallies]
    if tallies:
        tt = Table(title="Tallies")
        for col in ("doc", "scope", "killed", "injured", "children killed", "source"):
            tt.add_column(col)
        for doc_id, t in tallies:
            tt.add_row(doc_id, t.scope or "", *("" if v is None else str(v) for v in (t.killed, t.injured, t.children_killed)), t.source or "")
        out.print(tt)


@app.command("claims")
def claims_cmd(
    fmt: str = typer.Option("table", "--format", "-f", help="table or jsonl."),
    link: bool = typer.Option(True, "--link/--no-link", help="Fill incident_id across documents."),
) -> None:
    """List the claims stored in the database (current document versions).

    Example: `harmwatch claims --format jsonl`
    """
    from ..api import all_extractions
    try:
        results = all_extractions(_open_db(), link=link)
    except HarmWatchError as e:
        _fail(e)
    _print_results(results, fmt)


@app.command("demo")
def demo_cmd() -> None:
    """Ingest the bundled sample corpus, resolve it and print its claims and incidents.

    Example: `harmwatch demo`
    """
    from ..api import all_extractions, sample_corpus
    from ..resolve.service import incidents
    from .incidents import print_table
    folder = sample_corpus()
    try:
        db, report = _run_ingest([], folder / "manifest.csv")
        results = all_extractions(db, link=True)
        rows = incidents(db)
    except HarmWatchError as e:
        _fail(e)
    err.print(f"database: {db.url}  (new {report.new}, unchanged {report.unchanged}, failed {len(report.failed)})")
    _print_table(results)
    print_table(rows, title="Incidents (resolved across sources)")


@app.command("geocode")
def geocode_cmd(texts: list[str] = typer.Argument(..., help="Place strings as analysts write them.")) -> None:
    """Resolve free-text place strings; one JSON object (or null) per input.

    Example: `harmwatch geocode "Izyum (Kharkiv Region)" "near Chuhuiv"`
    """
    from ..geo import Gazetteer
    try:
        gaz = Gazetteer.default()
    except HarmWatchError as e:
        _fail(e)
    for t in texts:
        m = gaz.geocode(t)
        sys.stdout.write(json.dumps(m.to_dict() if m else None, ensure_ascii=False) + "\n")


@gazetteer_app.command("load")
def gazetteer_load(file: Path = typer.Argument(..., help="GeoNames dump: allCountries.txt, UA.txt or a .zip of one."),
                   dest: Optional[Path] = typer.Option(None, "--dest", help="Where to write the user gazetteer."),
                   region: list[str] = typer.Option([], "--region", help="A region of a neighbouring country's dump "
                                                    "to import as places across the border (name or GeoNames admin1 "
                                                    "code; repeatable)."),
                   country: Optional[str] = typer.Option(None, "--country", help="With --region: the country of "
                                                         "allCountries.txt to read (RU, BY, PL, ...).")) -> None:
    """Import Ukrainian populated places from a full GeoNames dump, or with --region the populated
    places of some regions of a neighbouring country's dump (GeoNames, CC BY 4.0).

    Example: `harmwatch gazetteer load ~/Downloads/UA.zip`;
    `harmwatch gazetteer load RU.zip --region Belgorod --region Kursk --region Bryansk`
    """
    from ..geo.gazetteer import import_country_dump, import_dump
    try:
        if region:
            n, chosen = import_country_dump(file, region, dest, country)
            err.print(f"imported {n} populated places across the border ("
                      + ", ".join(f"{name} = admin1 {code}" for code, name in chosen.items()) + ")")
            return
        n = import_dump(file, dest) if dest else import_dump(file)
    except HarmWatchError as e:
        _fail(e)
    err.print(f"imported {n} populated places")


@gazetteer_app.command("download")
def gazetteer_download(url: str = typer.Option("https://download.geonames.org/export/dump/UA.zip", "--url",
                                               help="Where to fetch the dump (GeoNames' UA.zip by default)."),
                       sha256: Optional[str] = typer.Option(None, "--sha256", help="Expected sha256 of the download."),
                       dest: Optional[Path] = typer.Option(None, "--dest", help="Where to write the user gazetteer.")) -> None:
    """Download GeoNames' Ukraine dump (needs a connection), verify it and import it: every village
    gets a point. Offline, use `harmwatch gazetteer load FILE` with a copy on disk.

    Example: `harmwatch gazetteer download`
    """
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from ..geo.gazetteer import download_dump
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("UA.zip", total=None)
        try:
            n, digest = download_dump(url, dest, sha256=sha256,
                                      progress=lambda done, total: bar.update(task, completed=done, total=total))
        except HarmWatchError as e:
            _fail(e)
    err.print(f"downloaded {url} (sha256 {digest}); imported {n} populated places")


@gazetteer_app.command("info")
def gazetteer_info(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Which gazetteer is in use and its coverage: places, how many have a point of their own,
    how many only an approximate one (hromada or raion centre), border places.

    Example: `harmwatch gazetteer info`
    """
    from ..geo import Gazetteer
    try:
        info = Gazetteer.default().info()
    except HarmWatchError as e:
        _fail(e)
    if as_json:
        sys.stdout.write(json.dumps(info) + "\n")
        return
    n = info["places"] or 1
    sys.stdout.write(f"file: {info['file']}\n"
                     f"populated places: {info['places']}\n"
                     f"with a point: {info['with_point']} ({info['with_point'] / n:.1%})\n"
                     f"approximate point only (hromada or raion centre): {info['approximate_only']}\n"
                     f"no point at all: {info['without_point']}\n"
                     f"border places (RU, BY, PL, MD, RO): {info['border_places']}\n")


@app.command("eval")
def eval_cmd(gold: Path = typer.Argument(..., help="Gold annotation (JSONL)."),
             pred: Path = typer.Argument(..., help="Predictions from `harmwatch extract --format jsonl`."),
             split: Optional[str] = typer.Option(None, "--split", metavar="FILE:NAME",
                                                 help="Score only the doc_ids listed under NAME in the JSON file FILE."),
             as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
             verbose: bool = typer.Option(False, "--verbose", "-v", help="List every miss, extra and invented value.")) -> None:
    """Score predictions against your own annotation: incident P/R/F1, per-field accuracy,
    objects F1, tally F1, invented casualty figures and invented dates (the definitions of
    ../shared/eval/score.py).

    Example: `harmwatch eval ../shared/eval/open/gold.jsonl pred.jsonl --split tests/data/splits/open.json:dev --json`
    """
    from ..evaluate import evaluate
    try:
        s = evaluate(gold, pred, split=split)
    except HarmWatchError as e:
        _fail(e)
    if as_json:
        sys.stdout.write(json.dumps(s.to_dict()) + "\n")
        return
    if verbose:
        for line in s.errors:
            out.print(line, markup=False)
    table = Table(title="Evaluation")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for k, v in s.to_dict().items():
        if not k.endswith("_n"):
            table.add_row(k, "—" if v is None else str(v))
    out.print(table)


@app.command("settings")
def settings_cmd() -> None:
    """Print every setting with its environment variable and default (Markdown).

    Example: `harmwatch settings`
    """
    out.print(settings.markdown_table(), markup=False)


if __name__ == "__main__":
    app()
