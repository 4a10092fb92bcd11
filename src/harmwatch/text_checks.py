"""Checks and trims for short texts people type: reasons for analyst decisions, quotes shown to them.

    visible_reason("  checked against OHCHR ")   -> "checked against OHCHR"
    visible_reason(None)                          -> None   (no reason given: allowed unless required)
    visible_reason("\\u200b \\u00a0")              -> TextError: the reason has no visible text
    clip("four civilians were killed in ...", 20)  -> "four civilians were…"

Every layer (resolve/service.py, hence the web forms, the API and the CLI) uses `visible_reason`,
so a reason in the audit log always has something a reader can see.
"""
from __future__ import annotations

import unicodedata

from .errors import TextError

REASON_MAX = 2000
# Categories that draw nothing on their own: controls, format characters (zero-width space and
# joiners, bidi marks, soft hyphen ...), surrogates, private use, unassigned, every kind of space
# and line/paragraph separator, and combining marks (nothing to combine with when alone).
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters and symbols that render blank although their category says otherwise.
BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")


def is_visible(ch: str) -> bool:
    """Whether one character draws something on the page."""
    return ch not in BLANK_CHARACTERS and unicodedata.category(ch) not in INVISIBLE_CATEGORIES


def has_visible_text(text: str) -> bool:
    return any(is_visible(ch) for ch in text)


def visible_reason(reason: str | None, *, required: bool = False, what: str = "reason") -> str | None:
    """The reason with surrounding whitespace removed, or None when none was given (None or "").

    Raises TextError when it is required and missing, when it holds only invisible characters
    (whitespace, zero-width or other format characters, controls), or when it is too long.
    """
    if reason is None or reason == "":
        if required:
            raise TextError(f"a {what} is required: say why, in words")
        return None
    if not isinstance(reason, str):
        raise TextError(f"the {what} must be text, not {type(reason).__name__}")
    if not has_visible_text(reason):
        raise TextError(f"the {what} has no visible text (only spaces, zero-width or other invisible "
                        "characters): say why, in words")
    text = reason.strip()
    if len(text) > REASON_MAX:
        raise TextError(f"the {what} is too long: {len(text)} characters, at most {REASON_MAX}")
    return text


def clip(text: str, limit: int = 300) -> str:
    """`text` on one line (runs of whitespace become one space), cut at a word boundary to at most
    `limit` characters with an ellipsis (…) when it was longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    budget = max(1, limit - 1)  # room for the ellipsis
    cut = flat[:budget]
    if flat[budget] != " ":  # the cut falls inside a word: end at the word before it
        space = cut.rfind(" ")
        if space > 0:
            cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"
