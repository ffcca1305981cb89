"""trafilatura next to the hand-written HTML reader, on news pages written to look like real ones.

In: nothing (five pages built here, each an article of known sentences inside the furniture news sites
wrap around it: menus, cookie notes, "Most read" and "Related" boxes, newsletter forms, share buttons,
advertisements, reader comments, JSON-LD or OpenGraph metadata or none). Out: a table per reader:
the share of the article's sentences kept, the furniture snippets that reached the text, and whether
title, outlet and date came out right (`transforms.web.read_page` for trafilatura; for the
hand-written `transforms.clean.html_to_text` the title is the raw <title> and it gives no outlet or
date). Also the seconds per page of each reader.

Usage: `uv run python benchmarks/html_readers.py`.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAV = (
    "<nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li>"
    "<li><a href='/sport'>Sport</a></li></ul></nav>"
)
COOKIE = "<div class='cookie-consent'>We use cookies to personalise content. Manage cookie settings</div>"
MOST_READ = (
    "<aside class='most-read'><h3>Most read</h3><ol><li><a href='/1'>Ferry capsizes off Bali</a></li></ol></aside>"
)
RELATED = (
    "<section class='related'><h3>Related stories</h3>"
    "<ul><li><a href='/r'>Truce talks stall again</a></li></ul></section>"
)
NEWSLETTER = "<form class='newsletter'><p>Sign up for our morning briefing</p><input type='email'></form>"
SHARE = "<div class='share'><a href='#'>Share on Facebook</a> <a href='#'>Share on X</a></div>"
AD = "<div class='ad-slot'>Advertisement</div>"
COMMENTS = (
    "<section id='comments'><h3>Comments (2)</h3><div class='comment'><p>Reader42: This government never "
    "listens to anyone.</p></div></section>"
)
FOOTER = "<footer><p>© 2024 All rights reserved. Terms of use</p></footer>"
FURNITURE = [
    "Home", "Sport", "cookie", "Most read", "Ferry capsizes", "Related stories", "Truce talks stall",
    "morning briefing", "Share on", "Advertisement", "Reader42", "never listens", "All rights reserved",
]  # fmt: skip

PAGES = [
    {
        "title": "Dock workers strike in Lagos",
        "outlet": "Lagos Herald",
        "date": date(2024, 5, 2),
        "html_title": "Dock workers strike in Lagos | Lagos Herald",
        "head": "<meta property='og:site_name' content='Lagos Herald'>"
        "<meta property='article:published_time' content='2024-05-02T07:00:00+01:00'>",
        "sentences": [
            "Dock workers in Lagos went on strike on Tuesday over unpaid wages, the Maritime Workers Union said.",
            "Police arrested twelve union members outside the port gates later that day.",
            "Shipping agents said dozens of vessels were waiting to unload at Apapa.",
        ],
        "wrap": (NAV + COOKIE, MOST_READ + FOOTER),
    },
    {
        "title": "EU imposes sanctions on Belarusian officials",
        "outlet": "Baltic Daily",
        "date": date(2024, 6, 17),
        "html_title": "EU imposes sanctions on Belarusian officials – Baltic Daily",
        "head": '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
        '"headline":"EU imposes sanctions on Belarusian officials","datePublished":"2024-06-17T09:00:00Z",'
        '"author":{"@type":"Person","name":"Jonas Petraitis"},"publisher":{"@type":"Organization",'
        '"name":"Baltic Daily"}}</script>',
        "sentences": [
            "The European Union imposed sanctions on six Belarusian officials on Monday over the jailing of "
            "opposition activists.",
            "Minsk called the measures an act of economic war and promised a response.",
            "The foreign policy chief said further steps were being prepared in Brussels.",
        ],
        "wrap": (NAV + SHARE, RELATED + COMMENTS + FOOTER),
    },
    {
        "title": "Floods displace thousands in Sylhet",
        "outlet": "Dhaka Daily News",
        "date": None,
        "html_title": "Floods displace thousands in Sylhet - Dhaka Daily News",
        "head": "",
        "sentences": [
            "Floods in north-eastern Bangladesh have displaced more than 20,000 people, officials said on Monday.",
            "The government sent food aid and boats to the worst-hit villages in Sylhet district.",
            "Rivers rose after days of heavy rain, the disaster management ministry said.",
        ],
        "wrap": ("<table><tr><td>" + NAV + "</td></tr><tr><td>", "</td></tr></table>" + NEWSLETTER + FOOTER),
        "plain": True,  # no <article>, no <main>: a table layout
    },
    {
        "title": "Court jails opposition activists in Tunis",
        "outlet": "Maghreb Wire",
        "date": date(2024, 2, 9),
        "html_title": "Court jails opposition activists in Tunis | Maghreb Wire",
        "head": "<meta property='og:site_name' content='Maghreb Wire'><meta name='date' content='2024-02-09'>",
        "sentences": [
            "A court in Tunis sentenced eight opposition activists to prison on Friday, their lawyers said.",
            "The activists were accused of plotting against state security.",
            "Human rights groups called the trial politically motivated.",
        ],
        "wrap": (NAV + COOKIE, SHARE + MOST_READ + FOOTER),
        "ads": True,  # an advertisement between paragraphs
    },
    {
        "title": "Ceasefire holds in Sudan's capital",
        "outlet": "Horn Observer",
        "date": date(2024, 8, 1),
        "html_title": "Ceasefire holds in Sudan's capital — Horn Observer",
        "head": "<meta property='article:published_time' content='2024-08-01'>",
        "sentences": [
            "A seven-day ceasefire between Sudan's army and the Rapid Support Forces held in Khartoum on Thursday.",
            "Aid agencies said they would send food convoys to the city once the truce held.",
            "Mediators in Jeddah said talks would resume next week.",
        ],
        "wrap": (NAV + NEWSLETTER, RELATED + COMMENTS + FOOTER),
    },
]


def build(p: dict) -> str:
    ad = AD if p.get("ads") else ""
    paras = ad.join(f"<p>{s}</p>" for s in p["sentences"])
    body = paras if p.get("plain") else f"<main><article><h1>{p['title']}</h1>{paras}</article></main>"
    if p.get("plain"):
        body = f"<h2>{p['title']}</h2>{paras}"
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{p['html_title']}</title>{p['head']}"
        "<script>window.dataLayer=[]; var x = 'Most read';</script></head><body>"
        f"{p['wrap'][0]}{body}{p['wrap'][1]}</body></html>"
    )


def main() -> None:
    from transforms.clean import html_to_text
    from transforms.web import read_page

    rows = {"trafilatura": [], "hand-written": []}
    seconds = {"trafilatura": 0.0, "hand-written": 0.0}
    read_page(build(PAGES[0]))  # import and warm up
    for p in PAGES:
        html = build(p)
        t0 = time.perf_counter()
        page = read_page(html)
        seconds["trafilatura"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        text, title = html_to_text(html)
        seconds["hand-written"] += time.perf_counter() - t0
        for reader, (txt, ttl, outlet, when) in {
            "trafilatura": (page.text, page.title, page.outlet, page.published),
            "hand-written": (text, title, None, None),
        }.items():
            kept = sum(1 for s in p["sentences"] if s in " ".join(txt.split()))
            leaked = [f for f in FURNITURE if f.lower() in txt.lower()]
            rows[reader].append((kept / len(p["sentences"]), leaked, ttl == p["title"], outlet == p["outlet"],
                                 when == p["date"]))  # fmt: skip
    print("| reader | article sentences kept | pages with furniture | furniture snippets leaked | title right "
          "| outlet right | date right | ms per page |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for reader, rs in rows.items():
        n = len(rs)
        print(
            f"| {reader} | {sum(r[0] for r in rs) / n:.0%} | {sum(1 for r in rs if r[1])}/{n} "
            f"| {sum(len(r[1]) for r in rs)} | {sum(r[2] for r in rs)}/{n} | {sum(r[3] for r in rs)}/{n} "
            f"| {sum(r[4] for r in rs)}/{n} | {1000 * seconds[reader] / n:.1f} |"
        )
    for reader, rs in rows.items():
        for p, r in zip(PAGES, rs, strict=True):
            if r[1]:
                print(f"{reader}: {p['title']!r} leaked {r[1]}")


if __name__ == "__main__":
    main()
