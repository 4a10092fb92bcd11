"""Reading one file into `DocumentIn` records: .txt .md .html .htm .pdf .json .jsonl.

The text a reader returns is the text stored and the text every evidence offset indexes,
so readers change as little as possible: decode, normalise line endings to "\\n", nothing
else (HTML and PDF: the extracted main text, then the same normalisation).

Problems are `InputError`s whose message names the file (and the line, for JSON Lines).
A container of many records (.jsonl, a .json list) reports a bad record without losing
the good ones: `iter_documents` yields the error in the record's place.
"""
from __future__ import annotations

import codecs
import io
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from ..errors import InputError
from ..records import DocumentIn
from .language import detect_language, normalise_code
from .manifest import ManifestRow
from .textual import join_pdf_lines, published_in_text

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # per file; larger files are refused before reading
MAX_TEXT_CHARS = 2_000_000  # per document, after extraction (about 300,000 words)
MAX_DOC_ID_CHARS = 200

# extension -> reader kind; any other file is refused with `unsupported_message`
SUPPORTED = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html", ".pdf": "pdf",
             ".json": "json", ".jsonl": "jsonl"}
MEDIA_TYPES = {"text": "text/plain", "markdown": "text/markdown", "html": "text/html", "pdf": "application/pdf",
               "json": "application/json", "jsonl": "application/json"}

_BOMS = (  # longest first: the UTF-32-LE BOM begins with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class _Meta:
    """Metadata a file (or record) states about itself."""
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: date | None = None
    language: str | None = None  # None: detected from the text (ingest/language.py)


def unsupported_message(path: Path) -> str:
    """The one message for a file of a type HarmWatch does not read, named or found in a folder."""
    return (f"{display_path(path)}: unsupported file type {path.suffix.lower() or '(no extension)'!r}; "
            f"not stored (HarmWatch reads {' '.join(SUPPORTED)})")


def display_path(path: Path | str) -> str:
    """`path` printable and storable: bytes of a non-UTF-8 file name shown as \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_file(path: Path, meta: ManifestRow | None = None) -> list[DocumentIn]:
    """Every document in `path`; raises InputError on the first problem."""
    docs = []
    for item in iter_documents(path, meta):
        if isinstance(item, InputError):
            raise item
        docs.append(item)
    return docs


def iter_documents(path: Path, meta: ManifestRow | None = None) -> Iterator[DocumentIn | InputError]:
    """Like `read_file`, but a bad record of a .jsonl/.json list is yielded as an InputError
    while the other records are still read. Whole-file problems raise."""
    path = Path(path)
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise InputError(unsupported_message(path))
    raw = read_bytes(path)
    if kind == "jsonl":
        yield from _jsonl(path, raw, meta)
    elif kind == "json":
        yield from _json(path, raw, meta)
    elif kind == "html":
        yield _html(path, raw, meta)
    elif kind == "pdf":
        yield _pdf(path, raw, meta)
    else:
        media = "markdown" if path.suffix.lower() == ".md" else "text"
        text = check_text(path, decode_text(path, raw))
        yield _document(path, raw, media, text, _Meta(published=published_in_text(text)), meta)


# --- bytes and text --------------------------------------------------------------------------

def read_bytes(path: Path) -> bytes:
    """The file's bytes; InputError when it is missing, unreadable or over MAX_DOCUMENT_BYTES."""
    limit = MAX_DOCUMENT_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"{path}: file is {size / 1048576:.1f} MB, over the {limit / 1048576:g} MB limit")
        with open(path, "rb") as f:
            raw = f.read(limit + 1)  # the file may have grown since stat()
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file") from e
    except IsADirectoryError as e:
        raise InputError(f"{path}: is a folder, not a file") from e
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from e
    if len(raw) > limit:
        raise InputError(f"{path}: file is over the {limit / 1048576:g} MB limit")
    if not raw:
        raise InputError(f"{path}: file is empty")
    return raw


def decode_text(path: Path, raw: bytes) -> str:
    """UTF-8 (with or without BOM), or UTF-16/32 with a BOM; line endings normalised to "\\n"."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom):].decode(encoding)
            except UnicodeDecodeError as e:
                raise InputError(f"{path}: not valid {encoding.upper()} text (bad bytes at offset "
                                 f"{e.start + len(bom)})") from e
            break
    else:
        if b"\x00" in raw:
            raise InputError(f"{path}: binary file (contains NUL bytes), not text")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(f"{path}: not UTF-8 text (undecodable bytes at offset {e.start}); "
                             "save it as UTF-8 or UTF-16 with a BOM") from e
    if "\x00" in text:
        raise InputError(f"{path}: binary file (contains NUL characters), not text")
    return normalise_newlines(text)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_text(where: Path | str, text: str, what: str = "file") -> str:
    if not text:
        raise InputError(f"{where}: {what} is empty")
    if not text.strip():
        raise InputError(f"{where}: {what} contains only whitespace")
    if "\x00" in text:  # PostgreSQL cannot store NUL in text, and no report contains one
        raise InputError(f"{where}: {what} contains NUL characters (binary data?)")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"{where}: text is {len(text):,} characters, over the {MAX_TEXT_CHARS:,} limit")
    return text


def parse_published(value: Any, where: str) -> date | None:
    """YYYY-MM-DD or an ISO date-time (its own local date is kept); '' and None mean unknown."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        s = value.strip()
        try:
            return date.fromisoformat(s) if len(s) <= 10 else datetime.fromisoformat(s.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise InputError(f"{where}: published date {value!r} is not YYYY-MM-DD or an ISO date-time")


# --- building the record ---------------------------------------------------------------------

def _document(path: Path, raw: bytes, kind: str, text: str, own: _Meta, meta: ManifestRow | None,
              doc_id: str | None = None, override: bool = True, where: str | None = None) -> DocumentIn:
    """A DocumentIn with the manifest row's metadata over (or, `override=False`, under) the file's own."""
    where = where or str(path)
    m = _from_manifest(meta, where)
    pick = (lambda mine, theirs: theirs or mine) if override else (lambda mine, theirs: mine or theirs)
    if doc_id is None:
        doc_id = (meta.doc_id if meta and meta.doc_id else None) or path.stem
    return DocumentIn(
        doc_id=_check_doc_id(doc_id, where), text=text, raw=raw, media_type=MEDIA_TYPES[kind],
        title=pick(own.title, m.title), publisher=pick(own.publisher, m.publisher), url=pick(own.url, m.url),
        published=pick(own.published, m.published), language=pick(own.language, m.language) or detect_language(text),
        path=str(path),
    )


def _from_manifest(meta: ManifestRow | None, where: str) -> _Meta:
    if meta is None:
        return _Meta()
    return _Meta(title=meta.title or None, publisher=meta.publisher or None, url=meta.url or None,
                 published=parse_published(meta.published, f"{where} (manifest line {meta.line})"),
                 language=_language(meta.language, f"{where} (manifest line {meta.line})"))


def _language(value: Any, where: str) -> str | None:
    """A stated language code, normalised ("EN" -> "en"); None when none is stated."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    code = normalise_code(value) if isinstance(value, str) else None
    if code is None:
        raise InputError(f"{where}: language {value!r} is not a language code such as en, uk or ru")
    return code


def _check_doc_id(doc_id: Any, where: str) -> str:
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise InputError(f"{where}: doc_id must be a non-empty string, not {doc_id!r}")
    doc_id = doc_id.strip()
    if len(doc_id) > MAX_DOC_ID_CHARS or any(ord(c) < 32 for c in doc_id):
        raise InputError(f"{where}: doc_id {doc_id[:60]!r} is too long or has control characters")
    return doc_id


# --- HTML and PDF ----------------------------------------------------------------------------

def _html(path: Path, raw: bytes, meta: ManifestRow | None) -> DocumentIn:
    if b"\x00" in raw[:65536] and not any(raw.startswith(b) for b, _ in _BOMS):
        raise InputError(f"{path}: binary file (contains NUL bytes), not HTML")
    import trafilatura  # heavy import: only when there is HTML to read
    try:
        doc = trafilatura.bare_extraction(raw, url=(meta.url if meta and meta.url else None), with_metadata=True)
    except Exception as e:  # lxml and trafilatura raise many types on broken markup
        raise InputError(f"{path}: cannot parse the HTML ({type(e).__name__}: {e})") from e
    text = normalise_newlines(getattr(doc, "text", None) or "") if doc is not None else ""
    if not text.strip():
        raise InputError(f"{path}: no main text found in the HTML (a navigation-only or script-rendered page?)")
    check_text(path, text)
    own = _Meta(title=doc.title or None, publisher=doc.sitename or None, url=doc.url or None,
                published=_lenient_date(doc.date) or published_in_text(text))  # language: from the text, not the page template's lang
    return _document(path, raw, "html", text, own, meta)


def _lenient_date(value: str | None) -> date | None:
    """A date trafilatura found in the page: a guess, so a malformed one is dropped, not an error."""
    try:
        return parse_published(value, "")
    except InputError:
        return None


def _pdf(path: Path, raw: bytes, meta: ManifestRow | None) -> DocumentIn:
    from pypdf import PdfReader
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not _decrypt_empty(reader):
            raise InputError(f"{path}: the PDF is encrypted (password-protected); save an unprotected copy")
        # NULs are artefacts of some PDF fonts' encodings, not text: dropped before offsets exist.
        # printed lines joined, end-of-line hyphenation undone: the joined text is the stored text
        pages = [join_pdf_lines(normalise_newlines((p.extract_text() or "").replace("\x00", ""))) for p in reader.pages]
        title = _pdf_title(reader)
    except InputError:
        raise
    except Exception as e:  # pypdf raises PdfReadError, but also KeyError/ValueError on broken files
        raise InputError(f"{path}: not a readable PDF ({type(e).__name__}: {e})") from e
    text = "\n\n".join(p for p in pages if p.strip())
    if not text:
        raise InputError(f"{path}: the PDF has no extractable text (a scan? run OCR on it first)")
    check_text(path, text)
    return _document(path, raw, "pdf", text, _Meta(title=title, published=published_in_text(text)), meta)


def _decrypt_empty(reader) -> bool:  # noqa: ANN001
    """Many PDFs are 'encrypted' with an empty password only to restrict printing."""
    try:
        return bool(reader.decrypt(""))
    except Exception:
        return False


def _pdf_title(reader) -> str | None:  # noqa: ANN001
    try:
        t = reader.metadata.title if reader.metadata else None
    except Exception:
        return None
    return t.strip() if isinstance(t, str) and t.strip() else None


# --- JSON and JSON Lines ---------------------------------------------------------------------

def _json(path: Path, raw: bytes, meta: ManifestRow | None) -> Iterator[DocumentIn | InputError]:
    try:
        data = json.loads(decode_text(path, raw))
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}: invalid JSON: {e.msg}") from e
    except RecursionError as e:
        raise InputError(f"{path}: JSON nested too deeply to read (arrays or objects inside each other "
                         "thousands of levels deep); not a document") from e
    if isinstance(data, dict):  # one record: the file is the document, so its bytes are archived
        yield _record(path, data, raw, meta, where=str(path), doc_id_suffix=None)
    elif isinstance(data, list):
        if not data:
            raise InputError(f"{path}: the JSON list has no records")
        for i, rec in enumerate(data, 1):
            # Each record is its own document; canonical bytes so one edited record is one new version.
            rec_raw = json.dumps(rec, ensure_ascii=False, sort_keys=True).encode("utf-8")
            yield _safe_record(path, rec, rec_raw, meta, f"{path} record {i}", str(i))
    else:
        raise InputError(f"{path}: expected a JSON object or a list of objects, found {type(data).__name__}")


def _jsonl(path: Path, raw: bytes, meta: ManifestRow | None) -> Iterator[DocumentIn | InputError]:
    n = 0
    for lineno, line in enumerate(decode_text(path, raw).split("\n"), 1):
        if not line.strip():
            continue
        n += 1
        where = f"{path}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            yield InputError(f"{where}: invalid JSON: {e.msg}")
            continue
        except RecursionError:
            yield InputError(f"{where}: JSON nested too deeply to read; not a document")
            continue
        yield _safe_record(path, rec, line.encode("utf-8"), meta, where, str(lineno))
    if n == 0:
        raise InputError(f"{path}: file contains only whitespace")


def _safe_record(path, rec, raw, meta, where, suffix) -> DocumentIn | InputError:  # noqa: ANN001
    try:
        return _record(path, rec, raw, meta, where, suffix)
    except InputError as e:
        return e


def _record(path: Path, rec: Any, raw: bytes, meta: ManifestRow | None, where: str,
            doc_id_suffix: str | None) -> DocumentIn:
    """One JSON record. A single-record file takes the manifest's metadata over its own; the
    records of a container take it only where they say nothing (the row describes the container)."""
    if not isinstance(rec, dict):
        raise InputError(f"{where}: expected a JSON object, found {type(rec).__name__}")
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: record has no \"text\"" if text is None or isinstance(text, str)
                         else f"{where}: \"text\" must be a string, not {type(text).__name__}")
    text = check_text(where, normalise_newlines(text), "text")
    own = _Meta(title=_str(rec.get("title")), publisher=_str(rec.get("publisher")), url=_str(rec.get("url")),
                published=parse_published(rec.get("published"), where), language=_language(rec.get("language"), where))
    single = doc_id_suffix is None
    doc_id = rec.get("doc_id")
    if single:
        doc_id = (meta.doc_id if meta and meta.doc_id else None) or doc_id or path.stem
    elif doc_id is None or doc_id == "":
        doc_id = f"{(meta.doc_id if meta and meta.doc_id else None) or path.stem}-{doc_id_suffix}"
    return _document(path, raw, "json", text, own, meta, doc_id=_check_doc_id(doc_id, where), override=single,
                     where=where)


def _str(v: Any) -> str | None:
    return v.strip() or None if isinstance(v, str) else None
