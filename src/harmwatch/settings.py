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

ALL = (DB, ARCHIVE, HOME, ANONYMOUS_READ, TRUSTED_PROXIES)


def markdown_table() -> str:
    rows = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    for s in ALL:
        rows.append(f"| `--{s.name}` | `{s.env}` | `{s.default or '(see meaning)'}` | {s.help} |")
    return "\n".join(rows)
