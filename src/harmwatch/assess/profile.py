"""The weapon profile of an incident, from the catalogue (data/weapons.yaml; docs/weapons.md).

Accuracy is shown only as the catalogue states it: a CEP figure (or a published range) with its
source and a confidence note, or a statement without a figure, or "no published CEP". Nothing is
estimated here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from ..extract.weapons import Catalogue, WeaponEntry

NO_CEP = "no published CEP"


@dataclass(frozen=True)
class WeaponProfile:
    weapon: str | None  # the incident's weapon as resolved (None: only a class, or nothing, is known)
    weapon_id: str | None  # catalogue id, when the weapon is in the catalogue
    weapon_class: str
    cluster_reported: bool | None  # the sources say cluster munitions were used
    calibre_mm: float | None
    guidance: str | None
    cluster_capable: bool | None  # a cluster variant exists (descriptive only)
    area_effect: str | None  # the catalogue's rough ordinal judgement: low, medium, high, very_high
    cep_m: tuple[float, float] | None  # (low, high) metres; low == high for a single published figure
    accuracy_text: str | None
    accuracy_source: str | None
    accuracy_confidence: str | None
    cep_note: str  # what is known of the CEP, in words
    sources: tuple[str, ...]

    @property
    def inaccuracy_stated(self) -> bool:
        """The catalogue has a sourced statement of this weapon's accuracy (e.g. "highly inaccurate")."""
        return bool(self.accuracy_text)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["cep_m"] = list(self.cep_m) if self.cep_m else None
        d["sources"] = list(self.sources)
        return d


def _cep(entry: WeaponEntry) -> tuple[float, float] | None:
    acc = entry.accuracy or {}
    cep = acc.get("cep_m")
    if cep is None:
        return None
    if isinstance(cep, (list, tuple)):
        return float(cep[0]), float(cep[1])
    return float(cep), float(cep)


def cep_words(cep: tuple[float, float] | None) -> str:
    if cep is None:
        return NO_CEP
    lo, hi = cep
    return f"CEP {lo:g} m" if lo == hi else f"CEP {lo:g}-{hi:g} m"


def weapon_profile(weapon: str | None, weapon_class: str | None, cluster: bool | None = None,
                   catalogue: Catalogue | None = None) -> WeaponProfile:
    """The profile of a weapon named in an incident (by canonical name, id or alias). An unnamed
    weapon gives a profile of its class alone, with the CEP note saying why there is no figure."""
    cat = catalogue or Catalogue.default()
    entry = cat.get(weapon) if weapon else None
    if entry is None:
        note = ("weapon not identified: no CEP" if not weapon
                else f"{weapon!r} is not in the weapon catalogue: {NO_CEP}")
        return WeaponProfile(weapon=weapon, weapon_id=None, weapon_class=weapon_class or "unknown",
                             cluster_reported=cluster, calibre_mm=None, guidance=None, cluster_capable=None,
                             area_effect=None, cep_m=None, accuracy_text=None, accuracy_source=None,
                             accuracy_confidence=None, cep_note=note, sources=())
    acc = entry.accuracy or {}
    cep = _cep(entry)
    if cep is not None:
        note = f"published {cep_words(cep)}"
    elif acc:
        note = f"{NO_CEP}; accuracy stated in words"
    else:
        note = NO_CEP
    return WeaponProfile(weapon=entry.name, weapon_id=entry.id, weapon_class=entry.weapon_class,
                         cluster_reported=cluster, calibre_mm=entry.calibre_mm, guidance=entry.guidance,
                         cluster_capable=entry.cluster_capable, area_effect=entry.area_effect, cep_m=cep,
                         accuracy_text=acc.get("text"), accuracy_source=acc.get("source"),
                         accuracy_confidence=acc.get("confidence"), cep_note=note, sources=entry.sources)


def catalogue_ceps(catalogue: Catalogue | None = None) -> list[tuple[str, tuple[float, float], str]]:
    """Every catalogue entry with a published CEP: (name, (low, high), source)."""
    cat = catalogue or Catalogue.default()
    out = []
    for e in cat.entries:
        c = _cep(e)
        if c is not None:
            out.append((e.name, c, (e.accuracy or {}).get("source") or ""))
    return out
