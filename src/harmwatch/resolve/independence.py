"""Source independence: which documents re-report another document already held.

Two signals make an edge "B re-reports A" in the source graph:

- **near-duplicate text**: MinHash over word 5-shingles (datasketch) with LSH candidate
  search; an estimated Jaccard similarity of at least `NEAR_DUP` between B and an earlier
  (or same-day) A;
- **attribution**: B attributes an account to A's publisher ("Amnesty said", "according to
  Amnesty International", "told the BBC") and A was published no later than B.

An incident's independent sources are its documents after each has been replaced by its
origin, where a document's origin is the earliest document it (transitively) re-reports
*among the documents of that incident*: a wire story quoting Amnesty about another attack is
not thereby a copy of Amnesty's account of this one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date

from datasketch import MinHash, MinHashLSH

NEAR_DUP = 0.5
NUM_PERM = 64
SHINGLE = 5
_WORD = re.compile(r"[a-z0-9а-яіїєґ']+", re.IGNORECASE)
# words that name no particular organisation
_GENERIC = {
    "the", "news", "agency", "wire", "international", "national", "service", "press", "report", "reports",
    "daily", "times", "post", "media", "group", "office", "ministry", "of", "for", "and", "re-report",
    "reposted", "paraphrased", "release", "ukraine", "ukrainian", "human", "rights", "united", "nations",
    "world", "global", "online", "bureau", "state", "council", "mission", "monitoring", "organisation",
    "organization", "broadcaster", "statement", "ngo", "government", "official", "officials",
}
_ATTRIB = r"(?:said|says|told|reported|reports|found|documented|stated|wrote|added|according to|cited|citing|quoted|quoting|report by|investigation by|analysis by|statement by|researchers)"


@dataclass(frozen=True)
class SourceRef:
    doc_id: str
    text: str
    publisher: str | None = None
    published: date | None = None


@dataclass(frozen=True)
class SourceEdge:
    doc_id: str  # the re-report
    origin: str  # the document it re-reports
    kind: str  # "near_duplicate" or "attribution"
    score: float  # estimated Jaccard, or 1.0 for attribution
    evidence: str | None = None  # the attributing words, for attribution edges


def _shingles(text: str) -> set[bytes]:
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


@lru_cache(maxsize=1)
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=1).permutations  # drawn once, not for every document


def minhash(text: str) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=1, permutations=_permutations())
    m.update_batch(list(_shingles(text)))
    return m


def _earlier(a: SourceRef, b: SourceRef) -> bool:
    """Is a the plausible origin of b (published no later; ties broken by doc_id)?"""
    if a.published and b.published and a.published != b.published:
        return a.published < b.published
    return a.doc_id < b.doc_id


def _later(a: SourceRef, b: SourceRef) -> bool:
    """Was a published after b (so it cannot be b's origin)? Unknown dates do not rule it out."""
    return bool(a.published and b.published and a.published > b.published)


@lru_cache(maxsize=4096)
def publisher_names(publisher: str | None) -> tuple[str, ...]:
    """Distinctive names a publisher is cited by: "Amnesty International" -> ["amnesty international",
    "amnesty"]. Only proper names count: a description such as "regional military administration"
    or "news agency" names no one in particular, so it yields nothing."""
    if not publisher:
        return ()
    clean = re.sub(r"\(.*?\)", "", publisher).strip()
    raw = _WORD.findall(clean)
    proper = [w for w in raw if w[:1].isupper() and w.lower() not in _GENERIC and len(w) >= 3]
    acronyms = [w.lower() for w in re.findall(r"\b[A-Z]{2,6}\b", clean)]
    if not proper and not acronyms:
        return ()
    names = []
    words = [w.lower() for w in raw]
    if proper:
        names.append(" ".join(words))
        # "Amnesty International" is also cited as "Amnesty"; "Kharkiv governor" is not "Kharkiv"
        if len(raw) >= 2 and raw[0] == proper[0] and all(w in _GENERIC for w in words[1:]) \
                and not _is_place(raw[0]):
            names.append(words[0])
    names.extend(acronyms)
    return tuple(dict.fromkeys(names))


def _is_place(word: str) -> bool:
    from ..geo import Gazetteer
    return Gazetteer.default().is_name(word)


@lru_cache(maxsize=4096)
def publisher_key(publisher: str | None) -> str | None:
    """The key that makes two documents "one publisher": its name when it has a proper name,
    else None (two outlets both described as "news agency" are not assumed to be one)."""
    if not publisher or not publisher_names(publisher):
        return None
    return re.sub(r"\s+", " ", re.sub(r"\(.*?\)", "", publisher)).strip().lower()


_AFTER = re.compile(rf"^(?:'s|’s)?[^.;]{{0,60}}?\b{_ATTRIB}\b", re.IGNORECASE)
_BEFORE = re.compile(rf"\b{_ATTRIB}\b[^.;]{{0,40}}?$", re.IGNORECASE)


def _attributed(text: str, start: int, end: int) -> str | None:
    """The attributing words around a publisher name at text[start:end], if it is cited as a source."""
    after = _AFTER.search(text[end:end + 80])
    if after:
        return text[start:end + after.end()]
    before = _BEFORE.search(text[max(0, start - 60):start])
    if before:
        return text[start - (len(text[max(0, start - 60):start]) - before.start()):end]
    return None


def source_graph(sources: list[SourceRef], pairs: set[tuple[str, str]] | None = None) -> list[SourceEdge]:
    """Re-report edges among `sources`; with `pairs` ({(doc_a, doc_b)}, either order), only between
    those documents (resolution needs edges only between documents that share an incident)."""
    edges: dict[tuple[str, str], SourceEdge] = {}
    by_id = {s.doc_id: s for s in sources}
    if pairs is not None:
        pairs = {(a, b) for a, b in pairs if a in by_id and b in by_id} | {(b, a) for a, b in pairs if a in by_id and b in by_id}
        wanted = {d for p in pairs for d in p}
        sources = [s for s in sources if s.doc_id in wanted]
        by_id = {s.doc_id: s for s in sources}
    hashes = {s.doc_id: minhash(s.text) for s in sources}
    if pairs is None:
        lsh = MinHashLSH(threshold=NEAR_DUP, num_perm=NUM_PERM)
        for doc_id in sorted(hashes):
            lsh.insert(doc_id, hashes[doc_id])
        candidates = {(d, o) for d in sorted(hashes) for o in lsh.query(hashes[d]) if o != d}
    else:
        candidates = pairs
    for doc_id, other in sorted(candidates):
        a, b = by_id[other], by_id[doc_id]
        if not _earlier(a, b):
            continue
        sim = hashes[doc_id].jaccard(hashes[other])
        if sim >= NEAR_DUP:
            edges[(b.doc_id, a.doc_id)] = SourceEdge(b.doc_id, a.doc_id, "near_duplicate", round(sim, 3))
    # attribution: one pass over each text for every publisher name held
    by_name: dict[str, list[SourceRef]] = {}
    for a in sources:
        for name in publisher_names(a.publisher):
            by_name.setdefault(name, []).append(a)
    if by_name:
        alternation = "|".join(re.escape(n) for n in sorted(by_name, key=len, reverse=True))
        name_re = re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)
        for b in sources:
            for m in name_re.finditer(b.text):
                said = _attributed(b.text, m.start(), m.end())
                if said is None:
                    continue
                for a in by_name.get(m.group(0).lower(), []):
                    if a.doc_id == b.doc_id or (b.doc_id, a.doc_id) in edges or _later(a, b):
                        continue
                    if pairs is not None and (b.doc_id, a.doc_id) not in pairs:
                        continue
                    if publisher_key(a.publisher) and publisher_key(a.publisher) == publisher_key(b.publisher):
                        continue  # a publisher's own later report is a new version of its account
                    edges[(b.doc_id, a.doc_id)] = SourceEdge(b.doc_id, a.doc_id, "attribution", 1.0, said)
    return sorted(edges.values(), key=lambda e: (e.doc_id, e.origin))


def origins_within(doc_ids: set[str], edges: list[SourceEdge], publishers: dict[str, str | None] | None = None,
                   published: dict[str, date | None] | None = None) -> dict[str, str]:
    """Each document's origin among `doc_ids` (itself when it re-reports none of them).

    Documents of one publisher share an origin (its earliest document here): a governor's
    second post, or an outlet's update, is not independent of the first."""
    up: dict[str, list[str]] = {}
    for e in edges:
        if e.doc_id in doc_ids and e.origin in doc_ids:
            up.setdefault(e.doc_id, []).append(e.origin)
    out = {}
    for d in doc_ids:
        cur, seen = d, {d}
        while up.get(cur):
            nxt = min(up[cur])
            if nxt in seen:
                break
            seen.add(nxt)
            cur = nxt
        out[d] = cur
    if publishers:
        first: dict[str, str] = {}
        for d in sorted(doc_ids, key=lambda x: ((published or {}).get(x) or date.min, x)):
            key = publisher_key(publishers.get(d))
            if key:
                first.setdefault(key, d)
        out = {d: first.get(publisher_key(publishers.get(o)) or "", o) for d, o in out.items()}
    return out
