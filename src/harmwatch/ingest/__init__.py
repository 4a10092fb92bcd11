"""Reading documents from disk (with manifest metadata) and storing them batch by batch.

    from harmwatch.ingest import ingest, load_manifest
    report = ingest(["reports/"], db, manifest=load_manifest("reports/manifest.csv"), extractor=...)
"""
from .manifest import Manifest, ManifestRow, load_manifest
from .language import detect_language
from .pipeline import Failure, IngestReport, Notice, discover, ingest
from .readers import MAX_DOCUMENT_BYTES, MAX_TEXT_CHARS, iter_documents, read_file

__all__ = ["ingest", "IngestReport", "Failure", "Notice", "detect_language", "discover", "load_manifest", "Manifest", "ManifestRow",
           "read_file", "iter_documents", "MAX_DOCUMENT_BYTES", "MAX_TEXT_CHARS"]
