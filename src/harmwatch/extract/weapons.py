"""The weapon catalogue (``data/weapons.yaml``) and the matcher that finds weapons in text.

``Catalogue.find`` runs one precompiled regular expression over a sentence and returns
every mention: named systems ("Tochka-U", "Герань-2", "152-mm howitzer") and generic
wording ("shelling", "glide bombs", "a missile"). The expression is a prefix trie of
all aliases, so a sentence is scanned once whatever the size of the catalogue; the
longest alias wins at each position and mentions never overlap. Inside an alias,
spaces may be written as a space, a hyphen or nothing and hyphens may be dropped;
a plural "s" is accepted; both ends need a word boundary ("Grad" never fires inside
"graduate" or "degrade"). Short aliases and all-capital acronyms match only with
their exact capitalisation, as do all-capital designations ("X-59", "9M79").

After matching:
- phrases of the ``ignore`` list ("shot down", "bomb shelter", "Mr Grad") are dropped;
- a named system directly followed by generic wording of its class ("Tochka-U
  ballistic missile", "Shahed drones") becomes one mention, as do two spellings of
  the same system side by side ("9M79 Tochka");
- generic wording of different classes joined by "and"/"or" ("a missile or rocket",
  "missiles and loitering munitions") becomes one mention with class ``unknown`` and
  ``family`` "either" (or) or "mixed" (and).

``classify`` turns the mentions of one incident's passage into (weapon, class, cluster).
Pure standard library plus PyYAML.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from ..errors import CatalogueError
from .gate import Words, whole_word_starts

WEAPON_CLASSES = ("ballistic_missile", "cruise_missile", "rocket_artillery", "tube_artillery", "mortar",
                  "air_bomb", "drone", "small_arms", "landmine", "unknown")
AREA_EFFECTS = ("low", "medium", "high", "very_high")
FAMILIES = ("missile",)  # allowed `family` values in the generic section of the YAML
MISSILE_CLASSES = ("ballistic_missile", "cruise_missile")
DATA_FILE = "weapons.yaml"

_ENTRY_KEYS = {"id", "name", "aliases", "cluster_aliases", "weapon_class", "calibre_mm", "guidance",
               "cluster_capable", "area_effect", "accuracy", "sources", "notes"}
_REQUIRED_KEYS = {"id", "name", "aliases", "weapon_class", "cluster_capable", "sources"}
_GENERIC_KEYS = {"weapon_class", "phrases", "cluster", "family"}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

_HYPHENS = "-\u2010\u2011\u2012\u2013"  # characters
_HY = r"\-\u2010\u2011\u2012\u2013"  # the same, for a regex character class
_SEP_CHARS = re.compile(r"[\s\u00a0" + _HY + r"]+")
_SPACE, _HYPHEN = "\x00", "\x01"  # trie atoms for an alias's (flexible) separators
_SPACE_RE = r"(?:[\s\u00a0]+|[" + _HY + r"])?"
_HYPHEN_RE = r"[" + _HY + r"]?"

# what may stand between a named system and the generic words that follow it
_HEAD_GAP = re.compile(r"^[\s\u00a0]*[\"'«„“]?$")
_ENTRY_TAIL_GAP = re.compile(
    r"^[\s\u00a0" + _HY + r"]*(?:(?:type|series|class|family|multiple|hypersonic|supersonic|subsonic|cargo|"
    r"guided|tactical|strategic|long-range|short-range|medium-range|heavy|anti-ship|air-launched|sea-launched|"
    r"ship-launched|Russian|Soviet-era|Iranian-made|Iranian-designed|North Korean)[\s\u00a0" + _HY + r"]*){0,2}$",
    re.IGNORECASE)
# what may stand between two spellings of the same system ("9M79-series Tochka", "Grad/BM-21")
_SAME_ENTRY_GAP = re.compile(r"^[\s\u00a0/()" + _HY + r"]*(?:(?:series|type)[\s\u00a0" + _HY + r"]*)?$",
                             re.IGNORECASE)
# what may join generic wording into one compound ("missiles and drones", "a missile or a rocket")
_JOIN_GAP = re.compile(
    r"^\s*(?P<conj>,\s*(?:and|or)\b|,|/|&|and/or\b|and\b|or\b|as well as\b|plus\b)\s*"
    r"(?:(?:a|an|the|other|several|some|dozens of|scores of|\d[\d,]*|two|three|four|five|six|seven|eight|nine|ten)\s+)?$",
    re.IGNORECASE)


@dataclass(frozen=True)
class WeaponEntry:
    id: str
    name: str
    aliases: tuple[str, ...]
    weapon_class: str
    calibre_mm: float | None
    guidance: str | None
    cluster_capable: bool
    area_effect: str | None
    accuracy: dict | None
    sources: tuple[str, ...]
    notes: str | None


@dataclass(frozen=True)
class WeaponMention:
    start: int
    end: int
    text: str
    entry: WeaponEntry | None
    weapon_class: str
    generic: bool
    cluster: bool  # the mention itself says cluster ("cluster munitions", "submunitions", "9M55K", "RBK-500")
    family: str | None = None  # generic only: "missile" (a missile of unstated type), "mixed" ("X and Y"), "either" ("X or Y")


@dataclass(frozen=True)
class _Target:
    entry: WeaponEntry | None  # None: generic wording
    weapon_class: str
    cluster: bool
    family: str | None
    ignore: bool = False


def _norm(s: str) -> str:
    return _SEP_CHARS.sub("", s).casefold()


def _exact_case(alias: str, generic: bool) -> bool:
    """Short aliases without a digit ("Grad", "Geran") and all-capital acronyms and designations
    ("HIMARS", "KAB", "X-59", "9M79") match exactly."""
    letters = [c for c in alias if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return True
    return not generic and len(alias) <= 5 and not any(c.isdigit() for c in alias)


def _atoms(alias: str) -> list[str]:
    out: list[str] = []
    for ch in alias.strip():
        if ch.isspace():
            if out and out[-1] in (_SPACE, _HYPHEN):
                out[-1] = _SPACE
            else:
                out.append(_SPACE)
        elif ch in _HYPHENS:
            if not (out and out[-1] in (_SPACE, _HYPHEN)):
                out.append(_HYPHEN)
        else:
            out.append(ch.lower())
    return out


def _any_case(ch: str) -> str:
    """A character in either case, as a literal or a small class (no IGNORECASE flag: sre skips
    an alternation branch fast only when it starts with a plain literal or class)."""
    forms = sorted({f for f in (ch, ch.lower(), ch.upper()) if len(f) == 1})
    return re.escape(forms[0]) if len(forms) == 1 else "[" + "".join(re.escape(f) for f in forms) + "]"


def _trie_regex(aliases: Iterable[str]) -> str:
    root: dict = {}
    for a in aliases:
        node = root
        for atom in _atoms(a):
            node = node.setdefault(atom, {})
        node[""] = True

    def emit(node: dict) -> str:
        terminal = "" in node
        branches = []
        # siblings start with distinct atoms; separators may match empty, so they go last
        for atom in sorted((k for k in node if k), key=lambda k: (k in (_SPACE, _HYPHEN), k)):
            head = _SPACE_RE if atom == _SPACE else _HYPHEN_RE if atom == _HYPHEN else _any_case(atom)
            branches.append(head + emit(node[atom]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if terminal:  # the alias may end here: the rest is optional (greedy, so the longest alias wins)
            return body + "?" if len(body) == 1 else "(?:" + body + ")?"
        return body

    return emit(root)


_GATE_LEN = 6  # letters of a word's start a key holds
_WORD_CHAR = re.compile(r"\w")


def _forms(atom: str) -> list[str]:
    """The characters the matcher accepts for an atom (as _any_case)."""
    return [f for f in {atom, atom.lower(), atom.upper()} if len(f) == 1]


def _plain_letter(atom: str) -> bool:
    """A word character whose every accepted form is a word character that lower-cases to it
    (never sigma, which str.lower() maps by its context)."""
    if len(atom) != 1 or not _WORD_CHAR.match(atom) or atom in "\u03c3\u03c2":
        return False
    return all(f.lower() == atom and _WORD_CHAR.match(f) for f in _forms(atom))


def _gate_keys(aliases: Iterable[str]) -> tuple[frozenset[str], frozenset[str]] | None:
    """What the word a match begins can be, lower-cased: (the words it may be, the starts of
    _GATE_LEN letters it may have). A match begins a whole word (no word character or hyphen
    before it). Its first letters are the alias's up to a separator: written, it ends the
    word there; left out, the word goes on with the letters after it. An alias that ends
    first gives the word whole, with the matcher's optional s. None when some alias starts
    with a character that allows no such statement (then every text is searched)."""
    equal: set[str] = set()
    starts: set[str] = set()
    for alias in aliases:
        lead = ""
        for atom in _atoms(alias):
            if len(lead) == _GATE_LEN:
                starts.add(lead)
                break
            if atom in (_SPACE, _HYPHEN):
                if not lead:
                    return None
                equal.add(lead)  # the separator written: the word ends here
                continue  # left out: the word goes on
            if not _plain_letter(atom):
                if not lead:
                    return None
                if len(atom) != 1 or any(_WORD_CHAR.match(f) for f in [atom, *_forms(atom)]):
                    starts.add(lead)  # a word character no key spells: the word only begins with lead
                else:
                    equal.add(lead)  # a character outside words ends the word
                break
            lead += atom
        else:
            if not lead:
                return None
            equal.update((lead, lead + "s"))
    return frozenset(equal), frozenset(starts)


def _as_str_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CatalogueError(f"{where}: expected a list, got {type(value).__name__}")
    out = []
    for v in value:
        if isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip():
            out.append(str(v).strip())
        else:
            raise CatalogueError(f"{where}: every item must be a non-empty string, got {v!r}")
    return out


def _alias_items(value: Any, where: str) -> list[tuple[str, bool | None]]:
    """Aliases as (text, exact) pairs; exact None means "decide by the default rule"."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise CatalogueError(f"{where}: expected a list of aliases, got {type(value).__name__}")
    out: list[tuple[str, bool | None]] = []
    for v in value:
        if isinstance(v, dict):
            text, case = v.get("text"), v.get("case", "exact")
            if set(v) - {"text", "case"} or not isinstance(text, str) or not text.strip() or case not in ("exact", "any"):
                raise CatalogueError(f"{where}: an alias mapping needs 'text' and an optional 'case' "
                                     f"(exact or any), got {v!r}")
            out.append((text.strip(), case == "exact"))
        elif isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip():
            out.append((str(v).strip(), None))
        else:
            raise CatalogueError(f"{where}: every alias must be a non-empty string, got {v!r}")
    return out


class Catalogue:
    """The weapon catalogue: entries, generic wording and the compiled matcher."""

    _default: "Catalogue | None" = None
    _lock = threading.Lock()

    def __init__(self, data: Any, origin: str = "<data>") -> None:
        self.origin = origin
        self._lookup: dict[str, tuple[_Target, frozenset[str] | None]] = {}
        self._by_key: dict[str, WeaponEntry] = {}
        patterns: list[str] = []
        if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
            raise CatalogueError(f"{origin}: the catalogue must be a mapping with an 'entries' list")
        unknown_top = set(data) - {"schema", "entries", "generic", "ignore"}
        if unknown_top:
            raise CatalogueError(f"{origin}: unknown top-level key(s) {sorted(unknown_top)}")
        entries: list[WeaponEntry] = []
        seen_ids: set[str] = set()
        seen_names: dict[str, str] = {}
        for i, raw in enumerate(data["entries"]):
            entry, aliases = self._entry(raw, f"{origin}: entry {i + 1}")
            if entry.id in seen_ids:
                raise CatalogueError(f"{origin}: duplicate id {entry.id!r}")
            if entry.name.casefold() in seen_names:
                raise CatalogueError(f"{origin}: duplicate name {entry.name!r} (ids {seen_names[entry.name.casefold()]!r} "
                                     f"and {entry.id!r})")
            seen_ids.add(entry.id)
            seen_names[entry.name.casefold()] = entry.id
            entries.append(entry)
            for text, exact, cluster in aliases:
                tgt = _Target(entry, entry.weapon_class, cluster, None)
                self._add(text, exact if exact is not None else _exact_case(text, False), tgt, f"entry {entry.id!r}")
                patterns.append(text)
        self.entries: tuple[WeaponEntry, ...] = tuple(entries)

        generic = data.get("generic") or []
        if not isinstance(generic, list):
            raise CatalogueError(f"{origin}: 'generic' must be a list")
        for i, g in enumerate(generic):
            where = f"{origin}: generic group {i + 1}"
            if not isinstance(g, dict):
                raise CatalogueError(f"{where}: expected a mapping")
            if set(g) - _GENERIC_KEYS:
                raise CatalogueError(f"{where}: unknown key(s) {sorted(set(g) - _GENERIC_KEYS)}")
            wclass = g.get("weapon_class")
            if wclass not in WEAPON_CLASSES:
                raise CatalogueError(f"{where}: weapon_class {wclass!r} is not one of {', '.join(WEAPON_CLASSES)}")
            family = g.get("family")
            if family is not None and family not in FAMILIES:
                raise CatalogueError(f"{where}: family {family!r} is not one of {FAMILIES}")
            cluster = g.get("cluster", False)
            if not isinstance(cluster, bool):
                raise CatalogueError(f"{where}: cluster must be true or false")
            for text, exact in _alias_items(g.get("phrases"), f"{where} phrases"):
                self._add(text, exact if exact is not None else _exact_case(text, True),
                          _Target(None, wclass, cluster, family), "generic wording")
                patterns.append(text)

        for text in _as_str_list(data.get("ignore"), f"{origin}: ignore"):
            self._add(text, False, _Target(None, "unknown", False, None, ignore=True), "the ignore list")
            patterns.append(text)

        self._by_key.update({e.id.casefold(): e for e in entries})
        self._by_key.update({e.name.casefold(): e for e in entries})
        body = _trie_regex(patterns)
        self._regex = re.compile(r"(?<![\w" + _HY + r"])(?<!\d[.,])(?:" + body + r")[sS]?(?!\w)")
        self._gate_keys = _gate_keys(patterns)
        self._gate_lens = tuple(sorted({len(k) for k in self._gate_keys[1]})) if self._gate_keys else ()

    # ------------------------------------------------------------------ loading
    @classmethod
    def default(cls) -> "Catalogue":
        """The bundled catalogue, loaded once per process."""
        if cls._default is None:
            with cls._lock:
                if cls._default is None:
                    try:
                        text = (resources.files("harmwatch") / "data" / DATA_FILE).read_text(encoding="utf-8")
                    except (FileNotFoundError, ModuleNotFoundError, OSError) as e:
                        raise CatalogueError(f"the bundled weapon catalogue {DATA_FILE} cannot be read: {e}") from e
                    cls._default = cls.from_text(text, origin=DATA_FILE)
        return cls._default

    @classmethod
    def from_file(cls, path: str | Path) -> "Catalogue":
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise CatalogueError(f"weapon catalogue {p} cannot be read: {e}") from e
        return cls.from_text(text, origin=str(p))

    @classmethod
    def from_text(cls, text: str, origin: str = "<text>") -> "Catalogue":
        try:
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as e:
            raise CatalogueError(f"{origin}: not valid YAML: {e}") from e
        return cls(data, origin)

    def _entry(self, raw: Any, where: str) -> tuple[WeaponEntry, list[tuple[str, bool | None, bool]]]:
        if not isinstance(raw, dict):
            raise CatalogueError(f"{where}: expected a mapping, got {type(raw).__name__}")
        eid = raw.get("id")
        if isinstance(eid, str):
            where = f"{where} ({eid})"
        extra = set(raw) - _ENTRY_KEYS
        if extra:
            raise CatalogueError(f"{where}: unknown key(s) {sorted(extra)}")
        missing = sorted(k for k in _REQUIRED_KEYS if k not in raw)
        if missing:
            raise CatalogueError(f"{where}: missing {', '.join(missing)}")
        if not isinstance(eid, str) or not _ID_RE.match(eid):
            raise CatalogueError(f"{where}: id must be a lower-case slug (letters, digits, hyphens), got {eid!r}")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CatalogueError(f"{where}: missing name")
        wclass = raw.get("weapon_class")
        if wclass not in WEAPON_CLASSES:
            raise CatalogueError(f"{where}: weapon_class {wclass!r} is not one of {', '.join(WEAPON_CLASSES)}")
        calibre = raw.get("calibre_mm")
        if calibre is not None and (isinstance(calibre, bool) or not isinstance(calibre, (int, float)) or calibre <= 0):
            raise CatalogueError(f"{where}: calibre_mm must be a positive number or null, got {calibre!r}")
        guidance = raw.get("guidance")
        if guidance is not None and not isinstance(guidance, str):
            raise CatalogueError(f"{where}: guidance must be text or null")
        cc = raw.get("cluster_capable")
        if not isinstance(cc, bool):
            raise CatalogueError(f"{where}: cluster_capable must be true or false")
        area = raw.get("area_effect")
        if area is not None and area not in AREA_EFFECTS:
            raise CatalogueError(f"{where}: area_effect {area!r} is not one of {', '.join(AREA_EFFECTS)} or null")
        acc = raw.get("accuracy")
        if acc is not None:
            if not isinstance(acc, dict) or set(acc) - {"cep_m", "text", "source", "confidence"}:
                raise CatalogueError(f"{where}: accuracy must be null or a mapping of cep_m, text, source, confidence")
            cep = acc.get("cep_m")

            def _positive(x) -> bool:  # noqa: ANN001
                return not isinstance(x, bool) and isinstance(x, (int, float)) and x > 0
            if isinstance(cep, list):  # a published range [low, high]
                if len(cep) != 2 or not all(_positive(x) for x in cep) or cep[0] > cep[1]:
                    raise CatalogueError(f"{where}: accuracy.cep_m as a range must be [low, high], positive, low <= high")
                cep = [cep[0], cep[1]]
            elif cep is not None and not _positive(cep):
                raise CatalogueError(f"{where}: accuracy.cep_m must be a positive number, [low, high] or null")
            if acc.get("confidence") is not None and not isinstance(acc["confidence"], str):
                raise CatalogueError(f"{where}: accuracy.confidence must be text")
            if not isinstance(acc.get("source"), str) or not acc["source"].strip():
                raise CatalogueError(f"{where}: accuracy needs a source (publication, year); otherwise write null")
            if not isinstance(acc.get("text"), str) or not acc["text"].strip():
                raise CatalogueError(f"{where}: accuracy needs a text")
            acc = {"cep_m": cep, "text": acc["text"], "source": acc["source"], "confidence": acc.get("confidence")}
        sources = _as_str_list(raw.get("sources"), f"{where} sources")
        if not sources:
            raise CatalogueError(f"{where}: sources must list at least one citation")
        notes = raw.get("notes")
        if notes is not None and not isinstance(notes, str):
            raise CatalogueError(f"{where}: notes must be text or null")
        aliases = _alias_items(raw.get("aliases"), f"{where} aliases")
        cluster_aliases = _alias_items(raw.get("cluster_aliases"), f"{where} cluster_aliases")
        if not aliases and not cluster_aliases:
            raise CatalogueError(f"{where}: at least one alias is needed")
        entry = WeaponEntry(
            id=eid, name=name.strip(), aliases=tuple(dict.fromkeys(a for a, _ in aliases + cluster_aliases)),
            weapon_class=wclass, calibre_mm=None if calibre is None else float(calibre), guidance=guidance,
            cluster_capable=cc, area_effect=area, accuracy=acc, sources=tuple(sources),
            notes=notes.strip() if isinstance(notes, str) else None)
        return entry, [(a, e, False) for a, e in aliases] + [(a, e, True) for a, e in cluster_aliases]

    def _add(self, text: str, exact: bool, target: _Target, owner: str) -> None:
        key = _norm(text)
        if not key:
            raise CatalogueError(f"{self.origin}: empty alias in {owner}")
        old = self._lookup.get(key)
        if old is not None:
            old_t, old_exact = old
            if old_t != target:
                def who(t: _Target) -> str:
                    return (f"entry {t.entry.id!r}" if t.entry else "the ignore list" if t.ignore
                            else f"generic wording ({t.weapon_class})") + (" [cluster]" if t.cluster else "")
                raise CatalogueError(f"{self.origin}: alias {text!r} of {who(target)} is already used by {who(old_t)}")
            # same target: an inexact spelling makes the key inexact
            exact_forms = None if (old_exact is None or not exact) else old_exact | {_SEP_CHARS.sub("", text)}
            self._lookup[key] = (target, exact_forms)
        else:
            self._lookup[key] = (target, frozenset({_SEP_CHARS.sub("", text)}) if exact else None)
        if target.entry is not None:
            self._by_key.setdefault(key, target.entry)

    # ----------------------------------------------------------------- matching
    def get(self, id_or_name: str) -> WeaponEntry | None:
        """An entry by id, canonical name or any alias (case and separators ignored)."""
        if not id_or_name:
            return None
        return self._by_key.get(id_or_name.strip().casefold()) or self._by_key.get(_norm(id_or_name))

    def _resolve(self, matched: str) -> _Target | None:
        key = _norm(matched)
        hit = self._lookup.get(key)
        plain = _SEP_CHARS.sub("", matched)
        if hit is None and key.endswith("s"):
            hit, plain = self._lookup.get(key[:-1]), plain[:-1]
        if hit is None:
            return None
        target, exact = hit
        if exact is not None and plain not in exact:
            return None
        return target

    def _matches(self, text: str, ws: Words) -> Iterator[re.Match]:
        """What `self._regex.finditer(text)` yields. With `ws`, the text's gate.words, the regex
        is tried only where a word that may begin a match (_gate_keys) starts, left to right and
        never inside a match already found: every match starts at such a word."""
        if ws is None or self._gate_keys is None:
            yield from self._regex.finditer(text)
            return
        equal, starts = self._gate_keys
        lens = self._gate_lens
        if len(lens) == 1:
            k = lens[0]
            found = [w for w in ws if w[:k] in starts or w in equal]
        else:
            found = [w for w in ws if w in equal or any(w[:k] in starts for k in lens)]
        if not found:
            return
        match = self._regex.match
        resume = 0
        for start in whole_word_starts(text.lower(), found):
            if start < resume:
                continue
            m = match(text, start)  # the lookbehinds still see the characters before `start`
            if m is not None:
                resume = m.end()
                yield m

    def find(self, text: str, ws: Words = None) -> list[WeaponMention]:
        """Every weapon mention in `text`, sorted by start, non-overlapping (offsets into `text`).
        `ws`: the text's gate.words, when the caller has them (the same mentions, found faster)."""
        raw: list[WeaponMention] = []
        for m in self._matches(text, ws):
            t = self._resolve(m.group())
            if t is None or t.ignore:
                continue
            raw.append(WeaponMention(m.start(), m.end(), m.group(), t.entry, t.weapon_class, t.entry is None,
                                     t.cluster, t.family))
        if len(raw) < 2:
            return raw
        return self._join_compounds(text, self._join_entries(text, raw))

    @staticmethod
    def _join_entries(text: str, ms: list[WeaponMention]) -> list[WeaponMention]:
        out: list[WeaponMention] = []
        for m in ms:
            prev = out[-1] if out else None
            if prev is not None and prev.entry is not None:
                gap = text[prev.end:m.start]
                same = m.entry is not None and m.entry.id == prev.entry.id and _SAME_ENTRY_GAP.match(gap)
                tail = (m.entry is None and m.family not in ("mixed", "either")
                        and m.weapon_class in (prev.entry.weapon_class, "unknown") and _ENTRY_TAIL_GAP.match(gap))
                if same or tail:
                    out[-1] = replace(prev, end=m.end, text=text[prev.start:m.end], cluster=prev.cluster or m.cluster)
                    continue
            if (prev is not None and prev.entry is None and m.entry is not None and prev.family not in ("mixed", "either")
                    and prev.weapon_class in (m.entry.weapon_class, "unknown") and _HEAD_GAP.match(text[prev.end:m.start])):
                # a generic word naming the system that follows ("ракета Искандер", "the missile Iskander"): one mention
                out[-1] = replace(m, start=prev.start, text=text[prev.start:m.end], cluster=prev.cluster or m.cluster)
                continue
            out.append(m)
        return out

    @staticmethod
    def _join_compounds(text: str, ms: list[WeaponMention]) -> list[WeaponMention]:
        out: list[WeaponMention] = []
        i = 0
        while i < len(ms):
            j, conj_words = i, []
            while (j + 1 < len(ms) and ms[j].generic and ms[j + 1].generic
                   and (g := _JOIN_GAP.match(text[ms[j].end:ms[j + 1].start]))):
                conj_words.append(g.group("conj").strip(" ,").lower())
                j += 1
            if j > i and any(c for c in conj_words):
                chain = ms[i:j + 1]
                kinds = {("missile" if c.family == "missile" else c.weapon_class) for c in chain
                         if c.weapon_class != "unknown" or c.family == "missile"}
                if "missile" in kinds and len(kinds & set(MISSILE_CLASSES)) == 1 and len(kinds) == 2:
                    kinds.discard("missile")  # "missiles and ballistic missiles": one class
                if len(kinds) > 1:
                    either = any(c in ("or", "/", "and/or") for c in conj_words)
                    start, end = chain[0].start, chain[-1].end
                    out.append(WeaponMention(start, end, text[start:end], None, "unknown", True,
                                             any(c.cluster for c in chain), "either" if either else "mixed"))
                    i = j + 1
                    continue
            out.append(ms[i])
            i += 1
        return out


SALVO_SPAN = 120  # characters: systems of different classes named this close are listed together


def classify(mentions: list[WeaponMention]) -> tuple[str | None, str, bool | None]:
    """(weapon name or None, weapon_class, cluster True/None) for the mentions of one incident's passage.

    - A named system beats generic wording ("missiles and drones struck Lviv ... Kinzhal
      missiles were used" -> Kinzhal). The most often named system wins. Between systems
      named equally often: if they are of the same class, the one named last (a later
      identification corrects an earlier one: "first said S-300, later Iskander"); if their
      classes differ, the one named first (the passage opens with the attack itself; a
      system of another class named later is a second weapon or another attack).
    - Generic wording only: "X or Y" of different classes anywhere -> unknown. Otherwise
      each mention votes for its class ("missiles and drones" votes unknown); a missile of
      unstated type counts for the one missile class named, if any; the class with most
      votes wins, a tie or an unstated missile gives unknown.
    - cluster is True when any mention says cluster, else None: never from capability.
    """
    if not mentions:
        return None, "unknown", None
    cluster = True if any(m.cluster for m in mentions) else None
    named = [m for m in mentions if m.entry is not None]
    if named:
        counts = Counter(m.entry.id for m in named)
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for i, m in enumerate(named):
            first.setdefault(m.entry.id, i)
            last[m.entry.id] = i
        entries = {m.entry.id: m.entry for m in named}
        best = max(counts.values())
        top = [eid for eid, n in counts.items() if n == best]
        if len({entries[eid].weapon_class for eid in top}) > 1:
            tops = [m for m in named if m.entry.id in top]
            if any(a.entry.weapon_class != b.entry.weapon_class and abs(a.start - b.start) < SALVO_SPAN
                   for a in tops for b in tops):
                # "Kh-22 and Kh-59 missiles as well as S-300s": one salvo of several classes
                return None, "unknown", cluster
            pick = entries[min(top, key=first.__getitem__)]  # a second weapon named later in the passage
        else:
            pick = entries[max(top, key=last.__getitem__)]  # a later identification of the same kind
        return pick.name, pick.weapon_class, cluster
    if any(m.family == "either" for m in mentions):
        return None, "unknown", cluster
    votes: Counter[str] = Counter()
    for m in mentions:
        if m.family == "mixed":
            votes["unknown"] += 1
        elif m.family == "missile":
            votes["missile"] += 1
        elif m.weapon_class != "unknown":
            votes[m.weapon_class] += 1
    named_missiles = [c for c in MISSILE_CLASSES if votes[c]]
    if votes["missile"] and len(named_missiles) == 1:
        votes[named_missiles[0]] += votes.pop("missile")
    votes = Counter({k: v for k, v in votes.items() if v})
    if not votes:
        return None, "unknown", cluster
    (top_class, n), *rest = votes.most_common()
    if (rest and rest[0][1] == n) or top_class in ("missile", "unknown"):
        return None, "unknown", cluster
    return None, top_class, cluster
