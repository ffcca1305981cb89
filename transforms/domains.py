"""A url → its registered domain (the outlet when nothing else names it).

In: an http(s) url (or, when asked, a bare host name). Out: the registered domain under the public
suffix list (`https://www.bbc.co.uk/news/x` → `bbc.co.uk`), or None for a
file path, an IP address or a host with no public suffix. The list is the
snapshot `tldextract` ships: nothing is downloaded and nothing is cached on
disk at run time.
"""

from __future__ import annotations

import re
from functools import lru_cache

_URL = re.compile(r"^(?:https?://|www\.)", re.I)
_HOST = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registered_domain(url: str | None, bare_host: bool = False) -> str | None:
    """`bare_host`: also accept a host name without scheme (`radiosvoboda.org`), as a "— write:" line
    gives it; off for uris, where `notes.md` is a file, not Moldova."""
    url = (url or "").strip()
    if not (_URL.match(url) or (bare_host and _HOST.match(url))):
        return None
    parts = _extractor()(url)
    if not parts.suffix or not parts.domain:
        return None
    return f"{parts.domain}.{parts.suffix}".lower()
