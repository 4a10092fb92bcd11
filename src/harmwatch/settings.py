"""Settings, defined once: name, environment variable, default and help.

The CLI options, the environment and docs/settings.md all come from this table.
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str | None
    help: str

    def value(self, explicit: str | None = None) -> str | None:
        if explicit:
            return explicit
        return os.environ.get(self.env) or self.default

    def number(self, explicit: str | None = None) -> float | None:
        """The value as a number, None when unset; a clear error when it is not one."""
        raw = self.value(explicit)
        if raw is None or not str(raw).strip():
            return None
        try:
            return float(raw)
        except ValueError as e:
            from .errors import InputError
            raise InputError(f"{self.env}={raw!r}: not a number") from e

    def flag(self, explicit: str | None = None) -> bool:
        """The value as a yes/no switch: 1, true, yes, on (any case) are on; anything else is off."""
        return (self.value(explicit) or "").strip().lower() in ("1", "true", "yes", "on")


DB = Setting("db", "HARMWATCH_DB", "sqlite:///harmwatch.db",
             "Database URL (SQLAlchemy form). SQLite file in the working directory by default.")
ARCHIVE = Setting("archive", "HARMWATCH_ARCHIVE", None,
                  "Folder for the content-addressed raw bytes of ingested documents "
                  "(default: a folder named after the SQLite file plus '-archive', beside it; else ./harmwatch-archive).")
HOME = Setting("home", "HARMWATCH_HOME", None,
               "Folder for user data such as an imported GeoNames gazetteer (default: ~/.local/share/harmwatch).")
ANONYMOUS_READ = Setting("anonymous-read", "HARMWATCH_ANONYMOUS_READ", "false",
                         "Web app: let visitors who are not signed in read incidents and sources (true/false). "
                         "Off by default: every page then needs a signed-in user or an API token. "
                         "See docs/security.md.")

TRUSTED_PROXIES = Setting("trusted-proxies", "HARMWATCH_TRUSTED_PROXIES", "",
                          "Web app: comma-separated addresses or networks of reverse proxies in front of "
                          "`harmwatch serve` (e.g. `127.0.0.1, 10.0.0.0/8`). Only when the direct peer is one of "
                          "them is the client address taken from X-Forwarded-For (for the sign-in limits). "
                          "Empty by default: the header is ignored. See docs/security.md.")
SCOPE_THRESHOLD = Setting("scope-threshold", "HARMWATCH_SCOPE_THRESHOLD", "0.25",
                          "Extraction: a casualty figure or date whose confidence is below this is withheld "
                          "(null, with the reason in `uncertain` and the candidate in `withheld`) for review. "
                          "Chosen on the open set's dev split; 0 withholds nothing. See docs/extraction.md.")
SEGMENT_THRESHOLD = Setting("segment-threshold", "HARMWATCH_SEGMENT_THRESHOLD", None,
                            "Extraction: the segmentation model's P(continue) below which a placeless sentence with "
                            "figures is left out of the current attack instead of joining it (default: the model "
                            "file's own threshold; 0 = rules only). See docs/extraction.md, Segmentation model.")

SECOND_REVIEW = Setting("second-review", "HARMWATCH_SECOND_REVIEW", "false",
                        "Review: when on, a verify or discount counts as reviewed only after a second, different "
                        "analyst approves it; until then the incident stays in the review queue, marked "
                        "\"awaiting second review\" (true/false). See docs/resolution.md.")

UPLOAD_MAX_BYTES = Setting("upload-max-bytes", "HARMWATCH_UPLOAD_MAX_BYTES", "10485760",
                           "Web app: the largest report file an analyst may upload on /upload, in bytes (10 MB by "
                           "default; at most the ingest limit of 20 MB). A larger upload is refused with 413 before "
                           "it is read. See docs/web.md.")

ALL = (DB, ARCHIVE, HOME, ANONYMOUS_READ, TRUSTED_PROXIES, SCOPE_THRESHOLD, SEGMENT_THRESHOLD, SECOND_REVIEW, UPLOAD_MAX_BYTES)


def markdown_table() -> str:
    rows = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    for s in ALL:
        rows.append(f"| `--{s.name}` | `{s.env}` | `{s.default or '(see meaning)'}` | {s.help} |")
    return "\n".join(rows)


EVIDENCE_MAX_BYTES = Setting("evidence-max-bytes", "HARMWATCH_EVIDENCE_MAX_BYTES", "209715200",
                             "Evidence: the largest media file `harmwatch evidence add` or the incident page's upload "
                             "form accepts, in bytes (200 MB by default). A larger file is refused and nothing of it "
                             "is stored. See docs/evidence.md.")
ALL += (EVIDENCE_MAX_BYTES,)

INGEST_BATCH = Setting("ingest-batch", "HARMWATCH_INGEST_BATCH", "100",
                       "Ingest: documents stored per database transaction. A run killed part-way loses at most "
                       "the batch in progress, and a re-run stores it (each document exactly once); 1 commits "
                       "every document on its own. See docs/storage.md and docs/scaling.md.")
ALL += (INGEST_BATCH,)

POPULATED_MIN = Setting("populated-min", "HARMWATCH_POPULATED_MIN", "0",
                        "Screening flags: a gazetteer settlement counts as a populated place for the wide-area "
                        "and cluster-munition flags when its recorded population is at least this (0: every "
                        "settlement, whatever its population). See docs/assessment.md.")
ALL += (POPULATED_MIN,)
