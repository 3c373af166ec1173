"""What counts as a source of its own: copy sites, proxies, and the outlet behind a label.

docs/records-verification.md says the same in words; keep the two together.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

COPY_SITES = (
    # Copies of Wikipedia (mirrors, Kiwix and IPFS dumps, summaries, machine translations)
    "wikimili.com",
    "dewiki.de",
    "wiki.li",
    "zxc.wiki",
    "qaz.wiki",
    "wiki.x.io",
    "wikiwand.com",
    "wikizero.net",
    "wikiclassic.com",
    "wikiland.org",
    "wikisum.wiki",
    "owiki.org",
    "enwikipedia.net",
    "wikipedia-on-ipfs.org",
    "hyperlinked.wiki",
    "liquisearch.com",
    "infogalactic.com",
    "alchetron.com",
    "pinocchiopedia.com",
    "profilbaru.com",
    "profilpelajar.com",
    "kampuspedia.com",
    "jablog.org",
    "classicistranieri.com",
    "710302.xyz",
    "eth.limo",
    "ipfs.dweb.link",
    "ipfs.cf-ipfs.com",
    "osmarks.net",
    "casplantje.nl",
    "jackbot.fr",
    "cydlabs.com",
    "renker.it",
    "techbrokedad.xyz",
    "azureedge.net",
    "deno.dev",
    "trantor.is",
    # Proxies (another site's page served through them)
    "fanyv88.com",
    "anonyproxies.com",
    "liu233w.com",
    "melakarnets.com",
    "paperai.life",
    "mooo.com",
    "hs-data.com",
    "clateway.com",
    "campus1.de",
    "bahnsport-info.de",
    "tiue.org",
    "softbeam.net",
    "nohib.com",
)
"""Sites that show another publisher's page; a source cites the original instead."""

REPOSTS = (
    "inkl.com",
    "testbig.com",
    "wn.com",
    "newssniffer.co.uk",
    "newssummedup.com",
    "viralnewsshow.com",
    "gaeatimes.com",
    "newsme.com.ua",
    "newsbreak.com",
    "sebasdess.com",
    "boronfuelsource.com",
    "tokatadres.com",
    "somalymam.org",
    "ipacs.sport",
    "allnetafrica.com",
    "mysportsanalysis.com",
)
"""Sites that reprint another outlet's story: cited only as "Original (via Site)"."""

EMBEDDED_URL = re.compile(r"(?:https?(?::|%3A)(?:/|%2F){2}|/https?/)", re.IGNORECASE)
ARCHIVES = ("web.archive.org", "megalodon.jp")
"""Archives of a page that is gone: allowed, labelled with the original's publisher."""

WIRES = {
    "ap": "associated press",
    "associated press": "associated press",
    "reuters": "reuters",
    "reuters wire": "reuters",
    "apa/reuters": "reuters",
    "afp": "afp",
    "stt-afp": "afp",
    "pa": "pa",
    "aap": "aap",
    "xinhua": "xinhua",
    "efe": "efe",
    "sid": "sid",
    "dpa": "dpa",
    "dts": "dts",
    "apa": "apa",
    "sda": "sda",
    "anp": "anp",
    "belga": "belga",
    "hina": "hina",
    "pap": "pap",
    "lusa": "lusa",
    "yonhap": "yonhap",
    "kyodo news": "kyodo",
    "adnkronos": "adnkronos",
    "canadian press": "canadian press",
    "the canadian press": "canadian press",
    "nascar wire service": "nascar wire service",
    "sports ticker": "sportsticker",
    "sportsticker": "sportsticker",
}
"""Agencies whose story, printed by any outlet, is one source."""

DERIVED = re.compile(
    r"^(.+?)\s+(?:press release|release|report|text|transcript|copy|repost|reprint|mirror)$"
)
"""A label's "(X release)" or "(X copy)": the story is X's."""

ALIASES = {
    "olympics.com": "ioc",
    "olympic.org": "ioc",
    "international olympic committee": "ioc",
    "iaaf": "world athletics",
    "fina": "world aquatics",
    "swimming world magazine": "swimming world",
    "south florida sun-sentinel": "sun-sentinel",
    "sports illustrated vault": "sports illustrated",
}
"""One outlet under two names."""

WIKIPEDIA = ("wikipedia", "wikipédia", "wikimili", "wikisum", "dbpedia", "liquisearch")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").rstrip(".")


def copy_site(url: str) -> bool:
    """True when the url is a copy site or a proxy rather than the original page."""
    host = _host(url)
    if any(host == a or host.endswith("." + a) for a in ARCHIVES):
        return False
    parts = urlsplit(url)
    if "kiwix" in url.casefold() or EMBEDDED_URL.search(parts.path + "?" + parts.query):
        return True
    return any(host == c or host.endswith("." + c) for c in COPY_SITES)


def repost(url: str) -> bool:
    """True when the url is on a site that reprints other outlets' stories."""
    host = _host(url)
    return any(host == r or host.endswith("." + r) for r in REPOSTS)


def on_wikipedia(url: str) -> bool:
    """True for a page of any Wikipedia edition."""
    return _host(url).endswith(".wikipedia.org")


def _canon(name: str) -> str:
    name = re.sub(r"^the ", "", name.strip().casefold())
    return ALIASES.get(name, name)


def outlet(publisher: str) -> str:
    """The outlet whose work a source label names: the agency of a wire story, the original
    of a repost or a release, Wikipedia for every edition and copy of it."""
    if any(w in publisher.casefold() for w in WIKIPEDIA):
        return "wikipedia"
    parts = [p for p in re.split(r"\s*(?:[()]|\s/\s|,\s|\bvia\b)\s*", publisher) if p.strip()]
    for part in parts:
        if _canon(part) in WIRES:
            return WIRES[_canon(part)]
    for part in parts[1:]:
        derived = DERIVED.match(part.strip())
        if derived:
            return _canon(derived.group(1))
    return _canon(parts[0])
