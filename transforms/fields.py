"""The metadata field names newsevents understands, declared once.

In: a mapping read from a JSON Lines line or a YAML front matter block. Out:
the value of each metadata field (`text`, `title`, `published`, `outlet`,
`url`, `author`) under the first of its accepted names that holds one
(`pick`), and the Markdown table docs/inputs.md shows (`markdown_table`), both
derived from `FIELDS`. The names are those of common crawlers: news-please
(`maintext`, `date_publish`, `source_domain`, `authors`), newspaper4k
(`text`, `publish_date`, `authors`), trafilatura's JSON (`text`, `date`,
`sitename`, `hostname`, `author`, `url`), NewsAPI-style feeds
(`content`, `publishedAt`, `source.name`) and RSS-like records (`link`,
`pubDate`).
"""

from __future__ import annotations

from datetime import date, datetime

# field → accepted names, first match wins (a crawler writing two of them ranks them this way)
FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "maintext", "content", "body"),
    "title": ("title", "headline"),
    "published": (
        "published",
        "date_publish",
        "published_at",
        "publishedAt",
        "publish_date",
        "pubDate",
        "date",
    ),
    "outlet": ("outlet", "source_domain", "sitename", "site_name", "source", "publisher", "hostname"),
    "url": ("url", "link", "canonical_url"),
    "author": ("author", "authors", "byline"),
}


def _as_text(value: object) -> str | None:
    """A usable string from a crawler's value: a string, a date, a list of strings (authors), or an
    object with a `name` (NewsAPI's `source`)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        parts = [p for p in (_as_text(v) for v in value) if p]
        return ", ".join(dict.fromkeys(parts)) or None
    if isinstance(value, dict):
        return _as_text(value.get("name"))
    return None


def pick(item: dict, field: str) -> str | None:
    """The value of `field` under the first accepted name that holds a usable one."""
    for name in FIELDS[field]:
        value = _as_text(item.get(name))
        if value:
            return value
    return None


def markdown_table() -> str:
    """docs/inputs.md's table of accepted names, one row per field."""
    rows = ["| field | accepted names (first match wins) |", "|---|---|"]
    rows += [f"| `{field}` | {', '.join(f'`{n}`' for n in names)} |" for field, names in FIELDS.items()]
    return "\n".join(rows)
