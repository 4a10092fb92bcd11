"""Executors: where the extract step runs. The writer always runs in the calling process.

    LocalExecutor()                  in this process, one document after another (the default)
    DaskExecutor()                   a LocalCluster: one worker process per core
    DaskExecutor("tcp://host:8786")  an existing Dask cluster (`dask scheduler` + `dask worker`)

`ingest()` reads documents, plans a batch (which need extracting), hands those to
`executor.submit(...)`, and writes the results batch by batch in the order it read them, so
the stored rows are the same whichever executor ran: only where the extraction (sentence
parsing, annotation, geocoding, assembly, scope) ran differs.

On Dask the extract step is `extract_chunk` (a pure function of picklable values:
(DocumentIn without its raw bytes, text) pairs in, `Extraction` or the error out). Each worker loads the gazetteer and
the weapon catalogue once (`dask_worker.WarmExtractor`, a worker plugin, fills the module-level cache of
`default_extractor()`). A worker that dies takes its tasks with it and the scheduler runs them
again on another worker; since only the writer stores, a retried task cannot store twice.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from ..errors import HarmWatchError, InputError
from ..records import DocumentIn
from ..store.writer import Extractor, extract_step

EXECUTORS = ("local", "dask")


class Pending(Protocol):
    def result(self) -> list[Any]: ...


class Executor(Protocol):
    max_in_flight: int  # batches submitted ahead of the one being written

    def submit(self, pairs: list[tuple[DocumentIn, str]], extractor: Extractor) -> Pending:
        """Start extracting; `.result()` is, per pair, its Extraction or the HarmWatchError."""

    def close(self) -> None: ...


def extract_chunk(pairs: list[tuple[DocumentIn, str | None]], extractor: Extractor | None) -> list[Any]:
    """The extract step over a few documents: per (document, text) pair its Extraction, or the
    error, returned rather than raised so one bad document does not fail (and retry) its
    neighbours. `text` None: the document's own text. `extractor` None: this process's default."""
    if extractor is None:
        from ..extract.pipeline import default_extractor
        extractor = default_extractor()
    out: list[Any] = []
    for doc, text in pairs:
        try:
            out.append(extract_step(doc, doc.text if text is None else text, extractor).extraction)
        except HarmWatchError as e:
            out.append(e)
    return out


def _light(pairs: list[tuple[DocumentIn, str]]) -> list[tuple[DocumentIn, str | None]]:
    """What a worker needs: the document without its raw bytes, the text once when it is the same."""
    return [(replace(doc, raw=b""), None if text is doc.text or text == doc.text else text) for doc, text in pairs]


class _Done:
    def __init__(self, value: list[Any]):
        self.value = value

    def result(self) -> list[Any]:
        return self.value


class LocalExecutor:
    """The extract step in this process, when the batch is submitted."""
    max_in_flight = 0

    def submit(self, pairs: list[tuple[DocumentIn, str]], extractor: Extractor) -> Pending:
        return _Done(extract_chunk(pairs, extractor))

    def close(self) -> None:
        pass


class _Gather:
    def __init__(self, client: Any, futures: list[Any]):
        self.client, self.futures = client, futures

    def result(self) -> list[Any]:
        out: list[Any] = []
        for chunk in self.client.gather(self.futures):
            out.extend(chunk)
        for f in self.futures:
            f.release()
        return out


class DaskExecutor:
    """The extract step on Dask workers, `chunk` documents per task.

    `scheduler`: address of a running scheduler (tcp://HOST:8786); None starts a LocalCluster of
    `workers` processes (default: one per core), one thread each, closed by `close()`. `chunk`
    None (the default): each batch is cut into one task per worker (50 documents per task for the
    default batch of 100 on 2 workers). Fewer, larger tasks cost the writing process, which runs the
    LocalCluster's scheduler, less CPU per document than tasks of 10 (bench/dask_ingest.py --chunk,
    docs/scaling.md), and every worker still gets a share of each batch."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None, chunk: int | None = None,
                 dashboard: bool = False):
        try:
            from distributed import Client, LocalCluster
        except ImportError as e:
            raise InputError("the dask executor needs Dask: pip install 'harmwatch[dask]'") from e
        self.chunk = None if chunk is None else max(1, chunk)
        self._cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="30s")
            else:
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                             dashboard_address=":0" if dashboard else None)
                self.client = Client(self._cluster)
        except (OSError, TimeoutError) as e:
            if self._cluster is not None:
                self._cluster.close()
            raise InputError(f"cannot reach the Dask scheduler {scheduler or '(local cluster)'}: {e}") from e
        from .dask_worker import WarmExtractor
        self.client.register_plugin(WarmExtractor(), name=WarmExtractor.name)
        n = len(self.client.scheduler_info(n_workers=-1).get("workers", {})) or (workers or 1)
        self.workers = n
        self.max_in_flight = 2 * n  # batches queued ahead of the writer: keeps every worker busy

    def _remote(self, extractor: Extractor) -> Any:
        from ..extract import pipeline
        if extractor is pipeline._DEFAULT or extractor is None:
            return None  # each worker has its own, loaded once (dask_worker.WarmExtractor)
        # Another extractor (tests, a custom model) travels with each task. Scattering it once is not
        # safe: the scheduler keeps a single replica of scattered data, and when the worker holding it
        # dies the tasks that need it fail instead of being retried.
        return extractor

    def submit(self, pairs: list[tuple[DocumentIn, str]], extractor: Extractor) -> Pending:
        ref = self._remote(extractor)
        light = _light(pairs)
        chunk = self.chunk or max(1, -(-len(pairs) // self.workers))  # None: one task per worker
        futures = [self.client.submit(extract_chunk, light[i:i + chunk], ref, pure=False)
                   for i in range(0, len(pairs), chunk)]
        return _Gather(self.client, futures)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(name: str = "local", scheduler: str | None = None, workers: int | None = None) -> Executor:
    """The executor called `name` (local or dask); InputError for another name."""
    if name == "local":
        if scheduler:
            raise InputError("--scheduler needs --executor dask")
        return LocalExecutor()
    if name == "dask":
        return DaskExecutor(scheduler, workers)
    raise InputError(f"unknown executor {name!r}: use {' or '.join(EXECUTORS)}")

