"""The Dask worker plugin of the dask executor (imported only when Dask is installed and used)."""
from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin


class WarmExtractor(WorkerPlugin):
    """Load the default extractor (gazetteer, weapon catalogue, rules, scope model) once per worker
    process, when the worker starts (or joins later), not inside its first task."""
    name = "harmwatch-extractor"

    def setup(self, worker: Any) -> None:
        from ..extract.pipeline import default_extractor
        default_extractor()
