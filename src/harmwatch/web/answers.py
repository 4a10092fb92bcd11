"""JSON answers of the API's reads: encoded by orjson, with an ETag, and 304 for a matching If-None-Match.

The ETag is a digest of the encoded body (weak: the gzip layer may change the bytes on the wire, not
the meaning), so it changes exactly when the answer does, whatever changed it, and a 304 is never
sent for an answer that differs from the one the client holds. The route still runs in full (who
asks is checked first, the answer is computed): a 304 saves the transfer, not the work. Pages and
API answers stay `Cache-Control: no-store` (app.SecurityHeaders): a browser keeps nothing, and a
client that keeps answers itself (a script, a sync job) revalidates with If-None-Match.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response

NOT_MODIFIED = {304: {"description": "If-None-Match named the answer's current ETag: it has not changed (no body)"}}


def _default(v: Any) -> Any:  # noqa: ANN401
    """What orjson does not encode itself, as FastAPI's encoder would have given it."""
    if isinstance(v, Decimal):  # PostgreSQL sums and numerics
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    if isinstance(v, (date, datetime, time)):
        return v.isoformat()
    if hasattr(v, "to_dict"):
        return v.to_dict()
    raise TypeError(f"cannot encode {type(v).__name__} as JSON")


def encode(content: Any) -> bytes:  # noqa: ANN401
    return orjson.dumps(content, default=_default, option=orjson.OPT_NON_STR_KEYS)


def etag(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match header (a list of tags, or *) with `tag`."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    want = tag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == want for t in if_none_match.split(","))


def json_answer(request: Request, content: Any, status_code: int = 200) -> Response:  # noqa: ANN401
    """`content` as a JSON answer with its ETag; 304 (no body) when the request's If-None-Match names it."""
    body = encode(content)
    tag = etag(body)
    if status_code == 200 and matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers={"etag": tag})
    return Response(body, status_code=status_code, media_type="application/json", headers={"etag": tag})
