"""Separate a scraped news page's body from its furniture.

Scrapes such as the second seed carry a subscription banner, the headline and
byline block, "Baca juga:" links inside the article, and after it share and
login prompts and a list of other headlines.  We keep the article body, pull
the metadata out of the header (title, outlet, date, author, wire source,
dateline city) and list every removed line so nothing is silently lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# "MOSKWA, KOMPAS.com – ..." or "MOSKOW (Arrahmah.com) – ..." or "JAKARTA, KOMPAS.com -"
_DATELINE = re.compile(
    r"^(?P<city>[A-Z][A-Za-z .'\-]{1,40}?)\s*(?:,\s*(?P<outlet1>[A-Za-z0-9.+\- ]{2,40}?)|\((?P<outlet2>[^)]{2,40})\))\s*[–—\-]{1,2}\s+\S"
)
#: A dateline is looked for only this far down, and only below short header lines:
#: a long line above it means it is the article's own text, not page furniture.
_MAX_HEADER_LINES = 40
_MAX_HEADER_LINE = 250
# "Kompas.com - 24/06/2021, 12:20 WIB"
_OUTLET_DATE = re.compile(
    r"^(?P<outlet>[A-Za-z0-9.\- ]+?)\s*[-–—]\s*(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?:,\s*(?P<H>\d{1,2})[:.](?P<M>\d{2}))?\s*(?P<tz>WIB|WITA|WIT)?\s*$"
)
_TZ = {"WIB": "+07:00", "WITA": "+08:00", "WIT": "+09:00"}
_WIRE = re.compile(r"^Sumber\s*:?\s*(?P<wire>\S.*)$")

# Lines that are page furniture wherever they stand.
_FURNITURE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(baca|lihat) juga\s*:",
        r"^simak video\b",
        r"^baca berita tanpa iklan",
        r"^gabung kompas\.com\+?$",
        r"^(advertisement|iklan|close ads|scroll to (continue|resume)( with content)?)$",
        r"^(penulis|editor|sumber)$",
        r"^lihat foto$",
    )
]
# Lines after which the rest of the page is furniture (share prompts, headline lists).
_TAIL = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^simak breaking news",
        r"^video rekomendasi",
        r"^video lainnya",
        r"^terkini lainnya",
        r"^berita terkait",
        r"^artikel terkait",
        r"^bagikan artikel",
        r"^login untuk",
        r"^komentar$",
        r"^dapatkan update berita",
        r"^download aplikasi",
    )
]


@dataclass
class CleanResult:
    """The body text, what was removed (in order) and the metadata found."""

    text: str
    removed: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """True when lines were removed."""
        return bool(self.removed)


def _is_furniture(line: str) -> bool:
    return any(p.search(line) for p in _FURNITURE)


def _parse_header(lines: list[str], meta: dict[str, Any]) -> None:
    for i, line in enumerate(lines):
        if _is_furniture(line) and line.lower() not in ("penulis", "sumber", "editor"):
            continue
        m = _OUTLET_DATE.match(line)
        if m:
            meta.setdefault("outlet", m["outlet"].strip())
            date = f"{m['y']}-{int(m['m']):02d}-{int(m['d']):02d}"
            if m["H"]:
                date += f"T{int(m['H']):02d}:{m['M']}"
                if m["tz"]:
                    date += _TZ[m["tz"]]
            meta.setdefault("published", date)
            continue
        m = _WIRE.match(line)
        if m and len(line) < 60:
            meta.setdefault("wire", m["wire"].strip())
            continue
        if line.lower() in ("penulis", "editor") and i > 0:
            role = "author" if line.lower() == "penulis" else "editor"
            prev = lines[i - 1]
            if not _OUTLET_DATE.match(prev) and not _is_furniture(prev):
                meta.setdefault(role, prev)
                meta.get("_byline", set()).add(prev)
            continue
    for line in lines:
        if _is_furniture(line) or _OUTLET_DATE.match(line) or _WIRE.match(line):
            continue
        if line in meta.get("_byline", set()):
            continue
        if line.lower() in ("penulis", "editor"):
            continue
        meta.setdefault("title", line)
        break


def clean_news_text(raw: str) -> CleanResult:
    """Clean a scraped article.  Input with no furniture comes back unchanged."""
    lines = raw.splitlines()
    stripped = [ln.strip() for ln in lines]
    meta: dict[str, Any] = {"_byline": set()}
    removed: list[str] = []

    start = 0
    for i, line in enumerate(stripped[:_MAX_HEADER_LINES]):
        if len(line) > _MAX_HEADER_LINE and not _DATELINE.match(line):
            break
        m = _DATELINE.match(line)
        if m:
            start = i
            meta["dateline"] = m["city"].strip().title()
            outlet = (m["outlet1"] or m["outlet2"] or "").strip()
            if outlet:
                meta["dateline_outlet"] = outlet
            break
    if start:
        header = [ln for ln in stripped[:start] if ln]
        _parse_header(header, meta)
        removed.extend(header)

    body: list[str] = []
    seen: set[str] = set()
    blank_paragraphs = False
    tail_from = None
    for i in range(start, len(lines)):
        line = stripped[i]
        if not line:
            if body:
                blank_paragraphs = True
            continue
        if any(p.search(line) for p in _TAIL):
            tail_from = i
            break
        if _is_furniture(line) or line in seen:
            removed.append(line)
            continue
        seen.add(line)
        body.append(lines[i].rstrip())
    if tail_from is not None:
        removed.extend(ln for ln in stripped[tail_from:] if ln)
    # A trailing "(author/outlet)" signature is kept (it is part of the article
    # as published) but recorded as metadata.
    if body:
        sig = re.search(r"\(([\w .]+)/([\w .]+)\)\s*$", body[-1])
        if sig:
            meta.setdefault("author", sig.group(1).strip())
    meta.pop("_byline", None)
    if not removed:
        return CleanResult(text=raw, removed=[], meta=meta)
    text = ("\n\n" if blank_paragraphs else "\n").join(body)
    return CleanResult(text=text, removed=removed, meta=meta)
