"""HarmWatch: sourced, geocoded incident claims from reports of harm to civilians."""

__version__ = "0.1.0"
