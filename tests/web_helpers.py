"""Shared set-up for the web tests: a database with the sample corpus, users and tokens."""
from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from harmwatch.api import sample_corpus
from harmwatch.auth import add_user, create_token
from harmwatch.extract.pipeline import default_extractor
from harmwatch.ingest import ingest
from harmwatch.resolve.service import resolve
from harmwatch.store.db import Database

import backend

PASSWORD = "correct horse battery"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_TEXT = f"""Missile strike on Kharkiv hospital {XSS_SCRIPT}

On 1 March 2022 a Russian Iskander missile struck a hospital in Kharkiv {XSS_SCRIPT}, killing 3 civilians and injuring 7 {XSS_IMG}, the regional governor said.
<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">
"""


def open_db(path: Path) -> Database:
    return Database.open(backend.url_for(path), archive_dir=path.parent / f"{path.stem}-archive")


def build_sample(folder: Path, xss: bool = False) -> tuple[Path, dict[str, str]]:
    """A database file with the sample corpus (and the XSS document), resolved; users and tokens.

    Returns the file and {role: token} for users admin1, ana (analyst) and vic (viewer)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "web.db"
    db = open_db(path)
    sample = sample_corpus()
    report = ingest(sorted(sample.rglob("*.txt")), db, manifest=sample / "manifest.csv", extractor=default_extractor())
    assert not report.failed
    if xss:
        docs = folder / "xss"
        docs.mkdir(exist_ok=True)
        (docs / "xss.txt").write_text(XSS_TEXT)
        (docs / "manifest.csv").write_text("file,doc_id,title,publisher,published,url\n"
                                           f'xss.txt,xss-doc,"Kharkiv {XSS_SCRIPT} report",{XSS_IMG},2022-03-02,'
                                           "javascript:alert(1)\n")
        report = ingest([docs / "xss.txt"], db, manifest=docs / "manifest.csv", extractor=default_extractor())
        assert not report.failed
    resolve(db)
    tokens = {}
    for name, role in (("admin1", "admin"), ("ana", "analyst"), ("vic", "viewer")):
        add_user(db, name, role, PASSWORD)
        tokens[role] = create_token(db, name, label="test")
    db.close()
    return path, tokens


def copy_db(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dst = folder / src.name
    if backend.POSTGRES:
        backend.copy(src, dst)
    else:
        shutil.copy(src, dst)
    return dst


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


@contextmanager
def served(app) -> Iterator[str]:  # noqa: ANN001
    """Serve an ASGI app with uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        assert time.time() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
