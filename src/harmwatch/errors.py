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


class SettingError(HarmWatchError):
    """A setting (environment variable or option) has a value that cannot be used."""


class AuthError(HarmWatchError):
    """Users, roles, passwords and API tokens (auth/): base class."""


class UserExistsError(AuthError):
    """A user with that name is already there."""


class UnknownUserError(AuthError):
    """No user with that name."""


class RoleError(AuthError):
    """Not one of the roles admin, analyst, viewer."""


class UserNameError(AuthError):
    """Not a valid user name (1-64 letters, digits and . _ @ -)."""


class PasswordPolicyError(AuthError):
    """A new password breaks the policy, e.g. shorter than 8 characters."""


class TokenError(AuthError):
    """An API token that is unknown, or already revoked, cannot be revoked."""


class SessionError(AuthError):
    """A web session that is unknown, or already revoked, cannot be revoked."""


class AuditError(HarmWatchError):
    """An audit entry cannot be written (e.g. a value that is not JSON)."""


class TextError(HarmWatchError):
    """Text a person typed (a reason for a decision) that is missing, too long or has nothing visible."""


class AssessmentError(HarmWatchError):
    """A screening flag or military-objects file that cannot be used: an unknown flag id, a dismissal
    without a reason, a GeoJSON file that is not a FeatureCollection of named points (assess/)."""
