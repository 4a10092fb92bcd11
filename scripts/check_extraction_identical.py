#!/usr/bin/env python3
"""Check that two versions of HarmWatch extract and store exactly the same things.

Every corpus (tests/data/*/docs with their manifests, ../shared/corpus/open, ../shared/corpus/seeds
and a generated bench corpus, bench/extract.py's templates) is ingested into a fresh SQLite
database with the code found on a given PYTHONPATH; the dump (JSONL) holds, per document, the
extractor's own output (every field, spans included) and every row the ingest wrote (all tables,
ordered by rowid), without the columns that hold the time of the run. Two dumps are then compared
field by field.

    # both versions at once (the first one's code also generates the bench corpus):
    python scripts/check_extraction_identical.py run --base /path/to/main/src --new /work/h4/src
    # or in steps:
    python scripts/check_extraction_identical.py dump --pythonpath /path/to/main/src --out base.jsonl
    python scripts/check_extraction_identical.py dump --pythonpath src --out new.jsonl
    python scripts/check_extraction_identical.py compare base.jsonl new.jsonl

Exit status: 0 identical, 1 different (the first differences are printed), 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# Columns holding the wall-clock time of the run (or derived from it): differ on every run.
REINGESTED = {"annotated", "heldout2", "shared-seeds", "bench"}
VOLATILE = {"retrieved_at", "extracted_at", "ingested_at", "created_at", "updated_at"}


def corpora(bench_dir: Path | None) -> list[tuple[str, Path, Path | None]]:
    """(name, folder, manifest or None) of every corpus that exists here."""
    out = []
    for d in sorted((REPO / "tests" / "data").glob("*/docs")):
        m = d.parent / "manifest.csv"
        out.append((d.parent.name, d, m if m.exists() else None))
    for name in ("open", "seeds"):
        d = SHARED / "corpus" / name
        if d.is_dir():
            m = d / "manifest.csv"
            out.append((f"shared-{name}", d, m if m.exists() else None))
    if bench_dir is not None:
        out.append(("bench", bench_dir, bench_dir / "manifest.csv"))
    return out


# --- in the child process (the PYTHONPATH under test) -----------------------------------------

def _jsonable(v):
    from dataclasses import asdict, is_dataclass
    from datetime import date, datetime
    if is_dataclass(v) and not isinstance(v, type):
        return _jsonable(asdict(v))
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, (bytes, memoryview)):
        import hashlib
        return "sha256:" + hashlib.sha256(bytes(v)).hexdigest()
    return v


def _gen_bench(folder: Path, docs: int) -> None:
    """bench/extract.py's corpus (seed 7), `docs` documents, with its manifest."""
    import random
    from datetime import date, timedelta
    sys.path.insert(0, str(REPO / "bench"))
    from extract import make_doc  # bench/extract.py
    from harmwatch.geo import Gazetteer
    rng = random.Random(7)
    places = [p for p in Gazetteer.default().places if p.population >= 500]
    rng.shuffle(places)
    places = places[:3000]
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["file,doc_id,title,publisher,published,url"]
    for n in range(docs):
        pub = date(2022, 3, 1) + timedelta(days=rng.randint(0, 1000))
        name = f"r{n:05d}.txt"
        (folder / name).write_text(make_doc(rng, places, 600, pub), encoding="utf-8")
        lines.append(f"{name},bench-{n},Report {n},Bench wire,{pub.isoformat()},")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _dump_child(out: Path, bench_dir: Path | None, batch: int | None) -> None:
    import harmwatch
    from sqlalchemy import text as sql
    from harmwatch.extract.pipeline import default_extractor
    from harmwatch.ingest import ingest, load_manifest
    from harmwatch.store.db import Database
    from harmwatch.store.writer import current_sources
    sys.stderr.write(f"harmwatch from {Path(harmwatch.__file__).parent}\n")
    extractor = default_extractor()
    with out.open("w", encoding="utf-8") as f, tempfile.TemporaryDirectory(prefix="hw-check-") as tmp:
        for name, folder, manifest in corpora(bench_dir):
            db = Database.open(f"sqlite:///{Path(tmp) / (name + '.db')}", Path(tmp) / f"{name}-archive")
            def run(label: str, where: Path, man: Path | None, **kw) -> None:
                report = ingest([where], db, manifest=load_manifest(man) if man else None,
                                extractor=extractor, batch_size=batch, **kw)
                base = str(man.parent if man else where)

                def clean(x: str) -> str:
                    return x.replace(base, "<corpus>")
                f.write(json.dumps({"corpus": name, "kind": "report", "doc_id": label, "new": report.new,
                                    "unchanged": report.unchanged, "new_version": report.new_version,
                                    "sources": [[x.source_id, x.status, x.doc_id] for x in report.sources],
                                    "failed": [[clean(x.path), clean(x.message)] for x in report.failed],
                                    "notices": [[clean(n.path), clean(n.message), n.kind] for n in report.notices]},
                                   ensure_ascii=False) + "\n")
            run("first", folder, manifest)
            if name in REINGESTED:
                # the paths of a store that has the documents already: unchanged, re-extracted, new
                # versions (every other file changed), and the old bytes back (a revert)
                run("again", folder, manifest)
                run("reextract", folder, manifest, reextract=True)
                root = manifest.parent if manifest else folder
                copy = Path(tmp) / f"{name}-changed"
                shutil.copytree(root, copy)
                changed = copy / folder.relative_to(root)
                for i, p in enumerate(sorted(x for x in changed.rglob("*") if x.is_file() and x.name != "manifest.csv")):
                    if i % 2 == 0:
                        p.write_bytes(p.read_bytes() + b"\nThis report was updated.\n")
                run("changed", changed, copy / manifest.relative_to(root) if manifest else None)
                run("reverted", folder, manifest)
            # the extractor's own output, every field (spans, confidence, withheld)
            with db.session() as s:
                docs = [(src.doc_id, src.text, src.published, src.publisher, src.language) for src in current_sources(s)]
            for doc_id, text, published, publisher, language in docs:
                rec = {"corpus": name, "kind": "extraction", "doc_id": doc_id}
                if language in extractor.languages:
                    ex = extractor.extract_text(text, doc_id, published, publisher, language)
                    rec["extraction"] = _jsonable(ex)
                else:
                    rec["extraction"] = None
                f.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
            # every row the ingest wrote
            with db.engine.connect() as conn:
                tables = [r[0] for r in conn.execute(sql(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                    "AND name != 'alembic_version' ORDER BY name"))]
                for t in tables:
                    try:
                        res = conn.execute(sql(f'SELECT * FROM "{t}" ORDER BY rowid'))
                    except Exception:  # noqa: BLE001 - a table without rowid
                        res = conn.execute(sql(f'SELECT * FROM "{t}"'))
                    cols = list(res.keys())
                    for i, row in enumerate(res):
                        vals = {c: (v.replace(tmp, "<tmp>") if isinstance(v, str) else _jsonable(v))
                                for c, v in zip(cols, row) if c not in VOLATILE}  # (paths of the copies)
                        f.write(json.dumps({"corpus": name, "kind": "row", "table": t, "n": i, "row": vals},
                                           ensure_ascii=False, sort_keys=True) + "\n")
            db.close()
            sys.stderr.write(f"{name}: done\n")


# --- in the parent process ------------------------------------------------------------------

def dump(pythonpath: str, out: Path, bench_dir: Path | None, batch: int | None = None) -> None:
    env = dict(os.environ, PYTHONPATH=str(Path(pythonpath).resolve()))
    for k in ("HARMWATCH_DB", "HARMWATCH_ARCHIVE", "HARMWATCH_SCOPE_THRESHOLD"):
        env.pop(k, None)
    cmd = [sys.executable, str(Path(__file__).resolve()), "_child", "--out", str(out)]
    if bench_dir is not None:
        cmd += ["--bench-dir", str(bench_dir)]
    if batch is not None:
        cmd += ["--batch", str(batch)]
    subprocess.run(cmd, env=env, check=True)


def gen_bench(pythonpath: str, folder: Path, docs: int) -> None:
    if (folder / "manifest.csv").exists():
        return
    env = dict(os.environ, PYTHONPATH=str(Path(pythonpath).resolve()))
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "_gen", "--bench-dir", str(folder),
                    "--docs", str(docs)], env=env, check=True)


def _key(rec: dict) -> tuple:
    return (rec["corpus"], rec["kind"], rec.get("table", ""), rec.get("doc_id", ""), rec.get("n", 0))


def _diff(a, b, path: str, out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: {'missing' if k not in a else repr(a[k])[:200]} != "
                           f"{'missing' if k not in b else repr(b[k])[:200]}")
            else:
                _diff(a[k], b[k], f"{path}.{k}", out, limit)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, f"{path}[{i}]", out, limit)
    elif a != b or type(a) is not type(b):
        out.append(f"{path}: {repr(a)[:200]} != {repr(b)[:200]}")


def compare(a: Path, b: Path, limit: int = 30) -> int:
    def load(p: Path) -> dict:
        return {_key(r): r for r in map(json.loads, p.read_text(encoding="utf-8").splitlines())}
    ra, rb = load(a), load(b)
    out: list[str] = []
    for k in sorted(set(ra) | set(rb), key=str):
        if k not in ra or k not in rb:
            out.append(f"{k}: only in {'second' if k not in ra else 'first'}")
        else:
            _diff(ra[k], rb[k], "/".join(map(str, k)), out, limit)
        if len(out) >= limit:
            break
    counts: dict[str, int] = {}
    for k in ra:
        counts[k[1]] = counts.get(k[1], 0) + 1
    summary = ", ".join(f"{n} {kind}s" for kind, n in sorted(counts.items()))
    if out:
        print(f"DIFFERENT ({summary} in the first):")
        print("\n".join(out))
        return 1
    print(f"identical: {summary}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run", help="dump both versions and compare")
    p.add_argument("--base", required=True, help="PYTHONPATH of the reference version (its src/)")
    p.add_argument("--new", required=True, help="PYTHONPATH of the version under test")
    p.add_argument("--work", type=Path, help="folder for the dumps and the bench corpus (default: a temp folder)")
    p.add_argument("--bench-docs", type=int, default=300)
    p.add_argument("--reuse-base", action="store_true", help="keep an existing base.jsonl in --work")
    p = sub.add_parser("dump", help="dump one version")
    p.add_argument("--pythonpath", required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--bench-dir", type=Path, help="bench corpus folder (generated there when missing)")
    p.add_argument("--bench-docs", type=int, default=300)
    p.add_argument("--batch", type=int)
    p = sub.add_parser("compare", help="compare two dumps")
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    p = sub.add_parser("_child")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--bench-dir", type=Path)
    p.add_argument("--batch", type=int)
    p = sub.add_parser("_gen")
    p.add_argument("--bench-dir", type=Path, required=True)
    p.add_argument("--docs", type=int, required=True)
    args = ap.parse_args(argv)
    if args.cmd == "_child":
        _dump_child(args.out, args.bench_dir, args.batch)
        return 0
    if args.cmd == "_gen":
        _gen_bench(args.bench_dir, args.docs)
        return 0
    if args.cmd == "compare":
        return compare(args.a, args.b)
    if args.cmd == "dump":
        if args.bench_dir is not None:
            gen_bench(args.pythonpath, args.bench_dir, args.bench_docs)
        dump(args.pythonpath, args.out, args.bench_dir, args.batch)
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="hw-identical-"))
    work.mkdir(parents=True, exist_ok=True)
    bench = work / "bench-corpus"
    gen_bench(args.base, bench, args.bench_docs)
    if not (args.reuse_base and (work / "base.jsonl").exists()):
        dump(args.base, work / "base.jsonl", bench)
    dump(args.new, work / "new.jsonl", bench)
    print(f"dumps in {work}")
    return compare(work / "base.jsonl", work / "new.jsonl")


if __name__ == "__main__":
    sys.exit(main())
