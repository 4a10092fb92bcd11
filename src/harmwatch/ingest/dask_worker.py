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
        from .pipeline import settle_long_lived
        # one small text through every step imports and builds what the steps load lazily; then what
        # the worker keeps for its life leaves the garbage collector's full collections
        default_extractor().extract_text("A missile hit a school in Kharkiv on Monday, killing two people.",
                                         "warm-up", language="en")
        settle_long_lived()
