"""Offline geocoding of Ukrainian place names (bundled GeoNames + KATOTTG gazetteer).

    from harmwatch.geo import Gazetteer
    gaz = Gazetteer.default()
    gaz.resolve("Zaporizhzhya")             # Place(name='Zaporizhzhia', admin1='Zaporizhzhia', ...)
    gaz.geocode("Izyum (Kharkiv Region)")   # GeocodeMatch(place=Place(name='Izium', ...), score=0.95, ...)
    gaz.oblast("Харківська область")         # 'Kharkiv'
"""
from .gazetteer import (GeocodeMatch, Gazetteer, Place, bundled_path, import_dump, iter_dump, load_dump,
                        user_path)
from .names import OBLASTS, normalize

__all__ = ["Gazetteer", "GeocodeMatch", "Place", "import_dump", "load_dump", "iter_dump", "bundled_path",
           "user_path", "normalize", "OBLASTS"]
