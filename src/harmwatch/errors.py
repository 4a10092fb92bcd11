"""The small exception hierarchy every layer raises; the CLI turns these into messages."""


class HarmWatchError(Exception):
    """Base class: an error with a message fit to show a user."""


class InputError(HarmWatchError):
    """A document or manifest cannot be read (binary, empty, undecodable, too large, missing)."""


class ManifestError(InputError):
    """A manifest CSV is malformed or names a file that is not there."""


class StoreError(HarmWatchError):
    """The database cannot be opened, migrated or written."""


class GazetteerError(HarmWatchError):
    """The gazetteer data is missing or a dump file cannot be imported."""


class CatalogueError(HarmWatchError):
    """The weapon catalogue is malformed."""
