"""Page furniture of scraped reports: lines that are not part of the report's body.

Real pages carry photo captions ending in an agency credit ("... March 15, 2024.
REUTERS/Name"), "Read more:" / "Related:" lines with other stories' headlines, bylines,
"(Reporting by ...; Editing by ...)" credits, "Sign up for our newsletter" lines,
author bios, timestamps ("Updated 14:32 GMT"), live-page chrome ("Share",
"Key events", "9h ago - ..."), figure captions and footnote texts ("[12] Interview ...").
They name places, dates and figures of other stories (or of nothing), so their
sentences are dropped before annotation. Only whole sentences are dropped: every kept
sentence keeps its character offsets into the stored text.

The first line (a headline) is never dropped: assembly treats it separately.
"""
from __future__ import annotations

import re

from .text import Sentence

_AGENCY = r"(?:REUTERS|Reuters|AFP|EPA(?:-EFE)?|AP|Anadolu(?: Agency)?|Ukrinform|Xinhua|TASS|Sipa|SOPA Images|NurPhoto|Getty Images)"
# a caption ends with a photo credit
_CAPTION_END = re.compile(
    r"(?:\b" + _AGENCY + r"(?:\s+Photo)?\s*/\s*[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,3}(?:/" + _AGENCY + r")*"
    r"|\((?:AP|AFP|Reuters|EPA)?\s*Photo(?:\s*/\s*|\s+by\s+)[^()]{2,60}\)"
    r"|\b(?:Photo|Photograph|Photos|Image|Picture|Credit|Photo credit|Image credit)\s*:\s*[^.:]{2,120}"
    r"|\u00a9\s*[^.]{1,80}"
    r"|\bGetty Images)"
    r"\.?\s*(?:Purchase Licensing Rights)?\s*$")


def _may_be_caption(s: str) -> bool:
    """False when _CAPTION_END cannot match `s` (it is case-sensitive): each of its alternatives
    contains a "/" (an agency credit), "Photo" after a "(" (a parenthesised photo credit), a ":"
    (a "Photo:" credit), a "\u00a9" or "Getty Images". Searching a long body line for it costs more."""
    return "/" in s or ":" in s or ("Photo" in s and "(" in s) or "\u00a9" in s or "Getty Images" in s


# "Read more:", "Related Coverage", "See also: ...", "Watch: ..."; alone, it heads a block of headlines
_LINKS = re.compile(
    r"^(?:read (?:more|also|next)|also read|related(?: coverage| stories| articles| content| news| reading)?|see also|"
    r"more on (?:this|that) story|recommended(?: stories)?|further reading|watch|listen|"
    r"explore more on these topics|more from [\w ]+|most read|editor'?s picks|you may also like|learn more|"
    r"key (?:points|events)|top stories|latest stories)\b\s*(?:[:|\u2013\u2014-]|$)",
    re.IGNORECASE)
# "(Reporting by ...; Editing by ...)", "Our Standards: ..."
_CREDITS = re.compile(
    r"^\(?\s*(?:(?:additional )?reporting|writing|editing|compiled|reported|translated|graphics|research|production) by\b"
    r"|^our standards\s*:", re.IGNORECASE)
_SIGN_UP = re.compile(
    r"\b(?:sign up|subscribe (?:to|now|here)|newsletter|delivered to your inbox|in your inbox)\b", re.IGNORECASE)
_NAME = r"[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+){1,3}"
_BYLINE = re.compile(
    r"^(?:By|(?:Live )?updates by|Reported by|Words by|Text by)\s+" + _NAME + r"(?:\s*\((?:now|earlier)\))?"
    r"(?:\s*(?:,|and|&)\s*" + _NAME + r"(?:\s*\((?:now|earlier)\))?)*(?:\s+in\s+[A-Z][\w'\u2019 -]{1,30})?\s*$")
_BIO = re.compile(
    r"^" + _NAME + r" (?:is|was) (?:a|an|our|the) (?:[\w'\u2019,-]+ ){0,6}"
    r"(?:correspondent|reporter|editor|journalist|writer|producer|columnist|contributor)\b")
_TZ = r"(?:GMT|BST|UTC|CET|CEST|EET|EEST|EDT|EST|ET|PT|Kyiv time|local time)(?:\s*[+-]\d{1,2})?"
_STAMP = re.compile(
    r"^(?:(?:last )?updated|published|posted|first published|last modified|modified)\b"
    r"|\b\d{1,2}[:.]\d\d\s*(?:[AaPp]\.?[Mm]\.?\s*)?" + _TZ + r"\b"
    r"|\b(?:updated\s+)?\d{1,2}\s*(?:h|hrs?|hours?|m|mins?|minutes?) ago\b", re.IGNORECASE)
_CHROME = re.compile(
    r"^(?:share|save|share this(?: article)?|advertisement|skip to (?:main )?content|listen to this article|"
    r"print|copy link|comments?|show more|show key events only|key events|key points|the headlines|"
    r"[\w ]{1,30}(?:\s*\|\s*[\w ]{1,30}){2,})$", re.IGNORECASE)
_FIGURE = re.compile(r"^(?:Figure|Fig\.|Table|Chart|Map|Graphic|Infographic)\s*\d*[a-z]?\s*[:.\u2013-]")
_FOOTNOTE = re.compile(r"^\[\d{1,3}\]\s")
_LABEL = re.compile(r"^(?:\d{1,3}|[IVX]{1,5}|[A-H])\.$")  # "3." / "II." / "B." numbering a paragraph or heading
_BODY_END = re.compile(r"[.!?:;\"'\u201d\u2019)\]]\s*$")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019]?\s*$")
_ATTACK_WORD = re.compile(r"\b(?:killed|killing|kills|injured|wounded|dead|died|struck|hit|hits|shelled|shelling)\b",
                          re.IGNORECASE)


def noise_kind(line: str) -> str | None:
    """What kind of page furniture a whole line is, or None for body text."""
    s = line.strip()
    if not s:
        return None
    if _FOOTNOTE.match(s):
        return "footnote"
    if _may_be_caption(s) and _CAPTION_END.search(s):
        return "caption"
    if _LINKS.match(s):
        return "links"
    if _CREDITS.match(s):
        return "credits"
    if len(s) < 260 and _SIGN_UP.search(s) and not _ATTACK_WORD.search(s):
        return "sign-up"
    if len(s) < 120 and _BYLINE.match(s):
        return "byline"
    if _BIO.match(s) and not _ATTACK_WORD.search(s):
        return "bio"
    if len(s) < 120 and _STAMP.search(s) and not _BODY_END.search(s) and not _ATTACK_WORD.search(s):
        return "timestamp"
    if len(s) < 100 and _CHROME.match(s):
        return "chrome"
    if _FIGURE.match(s):
        return "figure"
    return None


def _is_link_heading(s: str) -> bool:
    """'Read more:' / 'Related Coverage' standing alone: the lines below it are other stories' headlines."""
    m = _LINKS.match(s)
    return bool(m) and not s[m.end():].strip()


def noise_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every noise line; the first non-empty line (the headline) never counts."""
    spans: list[tuple[int, int, str]] = []
    pos = 0
    first = True
    in_links = False
    for line in text.splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        s = line.strip()
        if not s:
            in_links = False  # a blank line ends a block of headlines
            continue
        if first:
            first = False
            continue
        kind = noise_kind(s)
        if kind is None and in_links and len(s) < 160 and not _SENTENCE_END.search(s):
            kind = "links"  # a headline under "Read more:" (headlines carry no full stop)
        elif kind is None:
            in_links = False
        if kind is not None:
            spans.append((start, pos, kind))
            if kind == "links" and _is_link_heading(s):
                in_links = True
    return spans


def drop_noise(text: str, sentences: list[Sentence]) -> list[Sentence]:
    """The sentences outside noise lines, renumbered (index and paragraph) without gaps.

    Offsets are untouched; the paragraph numbers only close the gaps the dropped lines leave,
    so a caption between two paragraphs no longer counts as distance between them.
    """
    spans = noise_spans(text)
    kept: list[Sentence] = []
    j = 0
    for sent in sentences:
        while j < len(spans) and spans[j][1] <= sent.start:
            j += 1
        if j < len(spans) and spans[j][0] <= sent.start < spans[j][1]:
            continue
        if _LABEL.match(sent.text):
            continue
        kept.append(sent)
    if len(kept) == len(sentences):
        return sentences
    paras: dict[int, int] = {}
    for i, sent in enumerate(kept):
        sent.index = i
        sent.paragraph = paras.setdefault(sent.paragraph, len(paras))
    return kept
