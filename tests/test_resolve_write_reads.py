"""What a run's write reads of the claims it summarises (incremental._write, issue 10): their passages'
words are not worked out (only pair scoring reads them), and every summary is the one of the claims read
with their words."""
from __future__ import annotations

from dataclasses import replace

from harmwatch.resolve import incremental
from harmwatch.resolve.service import claim_refs, resolve
from harmwatch.resolve.summary import summarise
from harmwatch.store.db import Database


def test_summaries_do_not_read_the_claims_words(gen, new_db_url, monkeypatch):
    claims, _ = gen.generate(400, 7, towns=5, days=20)
    db = Database.open(new_db_url("w.db"))
    gen.store(db, gen.docs_of(claims))
    asked = []

    def spy(*args, **kw):
        asked.append(kw.get("words", True))
        return claim_refs(*args, **kw)
    monkeypatch.setattr("harmwatch.resolve.service.claim_refs", spy)
    resolve(db, full=True)
    assert asked and not any(asked)  # the write asked for no words
    with db.session() as s:
        full, ids, _ = claim_refs(s)
        lean, lean_ids, _ = claim_refs(s, words=False)
        groups: dict[str, list[str]] = {}
        for key, iid in ((r.key, r.incident_id) for r in s.execute(incremental.select(
                incremental.ResolvedClaim.key, incremental.ResolvedClaim.incident_id))):
            groups.setdefault(iid, []).append(key)
    assert ids == lean_ids and any(r.words for r in full) and not any(r.words for r in lean)
    assert lean == [replace(r, words=frozenset()) for r in full]  # nothing else differs
    with_words, without = {r.key: r for r in full}, {r.key: r for r in lean}
    for iid, keys in sorted(groups.items()):
        assert (summarise(iid, [with_words[k] for k in keys], {}).to_dict()
                == summarise(iid, [without[k] for k in keys], {}).to_dict())
