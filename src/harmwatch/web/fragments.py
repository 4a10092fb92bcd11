"""HTML fragments built in Python where a template macro was the cost of a page.

The map page lists up to 200 incidents in a table (the page works without JavaScript); as a Jinja
macro calling three more macros per row it took about half of the page's CPU time on the load test's
database. `incident_rows` writes the same HTML (every value escaped by markupsafe, as autoescape
did, with a faster escape of its own) at a fraction of that. tests/test_web_perf.py compares the two
outputs, tests/test_web_perf2.py the escape with markupsafe's.
"""
from __future__ import annotations

from urllib.parse import quote

from markupsafe import Markup


def escape(v) -> str:  # noqa: ANN001
    """markupsafe's escape of a plain value (the same five characters, the same entities) as a str: about
    four times faster for the ~3,000 short values of a full table, which need no Markup object each."""
    s = v if type(v) is str else str(v)
    return s.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")


def _rng(r: dict | None) -> str:
    r = r or {}
    best = r.get("best")
    if best is None:
        return '<span class="na">–</span>'
    if r.get("low") == r.get("high"):
        return escape(best)
    return f"{escape(best)} <small>({escape(r.get('low'))}–{escape(r.get('high'))})</small>"


def _span(cls: str, value, text) -> str:  # noqa: ANN001
    return f'<span class="{cls} {cls}-{escape(value)}">{escape(text)}</span>'


def _or(v, default: str = "") -> str:  # noqa: ANN001
    return escape(v) if v else default


HEAD = ('<table class="list">\n<thead><tr><th>date</th><th>place</th><th>oblast</th><th>weapon</th><th>objects</th>'
        '<th>killed</th><th>injured</th><th>sources</th><th>grade</th><th>status</th></tr></thead>\n<tbody>\n')


def incident_rows(rows: list[dict]) -> Markup:
    """The incident table of the map page: date and place link to the incident page."""
    out = [HEAD]
    for r in rows:
        href = "/incidents/" + escape(quote(str(r["id"]), safe=""))
        wc = r.get("weapon_class")
        out.append(
            f'<tr>\n  <td><a href="{href}">{_or(r.get("date"), "—")}</a></td>\n'
            f'  <td><a href="{href}">{_or(r.get("place"), "(no place)")}</a></td>\n'
            f'  <td>{_or(r.get("admin1"))}</td>\n'
            f'  <td>{_or(r.get("weapon"))} {_span("wc", wc, str(wc).replace("_", " "))}</td>\n'
            f'  <td>{escape(", ".join(str(o) for o in r.get("objects") or []))}</td>\n'
            f'  <td>{_rng(r.get("killed"))}</td>\n  <td>{_rng(r.get("injured"))}</td>\n'
            f'  <td>{escape(r.get("sources"))} <small>({escape(r.get("independent_sources"))} indep.)</small></td>\n'
            f'  <td>{_span("grade", r.get("grade"), r.get("grade"))}</td>\n  <td>{escape(r.get("status"))}</td>\n</tr>\n')
    if not rows:
        out.append('<tr><td colspan="11" class="empty">No incidents match.</td></tr>\n')
    out.append("</tbody>\n</table>\n")
    return Markup("".join(out))
