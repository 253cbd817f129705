"""Traffic-source classification of a session (SPEC §3), as plain data and pure functions.

No Django here: the live collector, the CSV importer, the demo generator and the tests all call
`classify_session(landing_url=..., referrer=..., site_hosts=...)` and get a `SourceResult`.

The fourteen rules are a table (`RULES`) evaluated top to bottom; the first rule whose predicate
holds decides the source and its drill-down fields. The lists of social networks, search engines
and mail/RSS hosts are data tables below, so extending them never touches the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote_plus, urlsplit

# --- Source values (crm.models.TrafficSource uses the same strings; a test keeps them equal) -----
ORGANIC_SEARCH = "organic_search"
PAID_SEARCH = "paid_search"
ORGANIC_SOCIAL = "organic_social"
PAID_SOCIAL = "paid_social"
EMAIL_MARKETING = "email_marketing"
OTHER_CAMPAIGNS = "other_campaigns"
REFERRALS = "referrals"
DIRECT_TRAFFIC = "direct_traffic"
OFFLINE_SOURCES = "offline_sources"

ALL_SOURCES = (
    ORGANIC_SEARCH,
    PAID_SEARCH,
    ORGANIC_SOCIAL,
    PAID_SOCIAL,
    EMAIL_MARKETING,
    OTHER_CAMPAIGNS,
    REFERRALS,
    DIRECT_TRAFFIC,
    OFFLINE_SOURCES,
)
# Sources a session can have (offline sources belong to contacts created by import/API/manual).
SESSION_SOURCES = tuple(s for s in ALL_SOURCES if s != OFFLINE_SOURCES)

UTM_PARAMS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
CLICK_ID_PARAMS = ("gclid", "fbclid", "li_fat_id")
# Google's iOS variants of gclid and Microsoft Ads' click id also mark a paid search click.
PAID_SEARCH_CLICK_IDS = ("gclid", "gbraid", "wbraid", "msclkid")
PAID_SEARCH_MARKERS = ("adword", "ppc", "cpc")
PAID_SOCIAL_MEDIUM_MARKERS = ("paid", "ppc", "cpc")
SEARCH_TERM_PARAMS = ("utm_term", "keyword", "q")

# --- Data tables ---------------------------------------------------------------------------------
# network → hosts (matched on the host or any parent domain, after "www." is dropped).
SOCIAL_NETWORK_HOSTS: dict[str, tuple[str, ...]] = {
    "facebook": ("facebook.com", "fb.com", "fb.me", "fb.watch", "messenger.com"),
    "instagram": ("instagram.com",),
    "linkedin": ("linkedin.com", "lnkd.in"),
    "x": ("twitter.com", "x.com", "t.co"),
    "youtube": ("youtube.com", "youtu.be"),
    "pinterest": ("pinterest.com", "pin.it"),
    "reddit": ("reddit.com", "redd.it"),
    "tiktok": ("tiktok.com",),
    "snapchat": ("snapchat.com",),
    "threads": ("threads.net",),
    "bluesky": ("bsky.app",),
    "mastodon": ("mastodon.social",),
    "xing": ("xing.com",),
    "tumblr": ("tumblr.com",),
    "quora": ("quora.com",),
    "vk": ("vk.com",),
    "whatsapp": ("whatsapp.com", "wa.me"),
}
# utm_source values people use for a network, besides its host names.
SOCIAL_NETWORK_ALIASES: dict[str, tuple[str, ...]] = {
    "facebook": ("facebook", "fb", "meta"),
    "instagram": ("instagram", "ig"),
    "linkedin": ("linkedin", "li"),
    "x": ("twitter", "x", "tw"),
    "youtube": ("youtube", "yt"),
    "pinterest": ("pinterest",),
    "reddit": ("reddit",),
    "tiktok": ("tiktok",),
    "snapchat": ("snapchat",),
    "threads": ("threads",),
    "bluesky": ("bluesky", "bsky"),
    "mastodon": ("mastodon",),
    "xing": ("xing",),
    "tumblr": ("tumblr",),
    "quora": ("quora",),
    "vk": ("vk", "vkontakte"),
    "whatsapp": ("whatsapp",),
}
# engine → registrable names; "google" matches google.<any tld> (google.dk, google.co.uk, ...).
SEARCH_ENGINE_HOSTS: dict[str, tuple[str, ...]] = {
    "bing": ("bing.com",),
    "duckduckgo": ("duckduckgo.com",),
    "yahoo": ("search.yahoo.com", "yahoo.com"),
    "yandex": ("yandex.ru", "yandex.com", "ya.ru"),
    "baidu": ("baidu.com",),
    "ecosia": ("ecosia.org",),
    "ask": ("ask.com",),
    "aol": ("search.aol.com",),
    "startpage": ("startpage.com",),
    "qwant": ("qwant.com",),
    "brave": ("search.brave.com",),
    "naver": ("naver.com",),
    "seznam": ("seznam.cz",),
    "kvasir": ("kvasir.no",),
}
# Google services that are not the search engine (a click from Gmail is not a Google search).
GOOGLE_NON_SEARCH_SUBDOMAINS = frozenset(
    {"mail", "inbox", "docs", "drive", "calendar", "sites", "groups", "accounts", "meet"}
)
MAIL_HOSTS: tuple[str, ...] = (
    "mail.google.com",
    "outlook.live.com",
    "outlook.office.com",
    "outlook.office365.com",
    "mail.yahoo.com",
    "mail.aol.com",
    "mail.proton.me",
    "mail.zoho.com",
    "mail.yandex.ru",
    "gmx.net",
    "web.de",
    "icloud.com",
    "fastmail.com",
)
# Any host whose first label is one of these is a webmail client (mail.example.net, ...).
MAIL_HOST_PREFIXES = ("mail.", "webmail.", "email.", "outlook.")
RSS_HOSTS: tuple[str, ...] = (
    "feedly.com",
    "inoreader.com",
    "newsblur.com",
    "theoldreader.com",
    "feedburner.com",
    "feeds.feedburner.com",
    "feedbin.com",
    "bazqux.com",
)
# Android apps announce themselves as android-app://<package>.
ANDROID_APPS: dict[str, tuple[str, str]] = {
    "com.google.android.gm": ("mail", "gmail"),
    "com.microsoft.office.outlook": ("mail", "outlook"),
    "com.google.android.googlequicksearchbox": ("search", "google"),
    "com.facebook.katana": ("social", "facebook"),
    "com.instagram.android": ("social", "instagram"),
    "com.linkedin.android": ("social", "linkedin"),
    "com.twitter.android": ("social", "x"),
    "com.google.android.youtube": ("social", "youtube"),
    "com.reddit.frontpage": ("social", "reddit"),
    "com.zhiliaoapp.musically": ("social", "tiktok"),
    "com.pinterest": ("social", "pinterest"),
}


# --- Results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceResult:
    """A session's traffic source and its drill-down fields.

    detail_1: search term (paid search), network (social), engine (organic search), referring
    host (referrals), utm_source (other campaigns), utm_campaign (email marketing).
    detail_2: utm_medium (other campaigns).
    `rule` names the rule that decided (for explanations and debugging; not part of equality).
    """

    source: str
    detail_1: str = ""
    detail_2: str = ""
    rule: str = field(default="", compare=False)

    @property
    def continues_previous(self) -> bool:
        return self.source == ""


# Rule 12's answer: an internal referrer starts no new source; the caller carries the previous
# session's source forward (or, with no previous session, uses direct traffic).
CONTINUE_PREVIOUS = SourceResult(source="", rule="internal_referrer")
OFFLINE = SourceResult(source=OFFLINE_SOURCES, rule="offline")


def resolve_continuation(result: SourceResult, previous: SourceResult | None) -> SourceResult:
    """Replace the rule-12 sentinel with the previous session's source (direct traffic if none)."""
    if not result.continues_previous:
        return result
    if previous is not None and not previous.continues_previous:
        return previous
    return SourceResult(DIRECT_TRAFFIC, rule="internal_referrer_without_previous")


# --- Parsed inputs -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Signals:
    """What the rules look at, parsed once from the landing URL and referrer."""

    params: Mapping[str, str]  # landing URL query, keys lower-cased, first value wins
    utm: Mapping[str, str]  # the non-empty utm_* params
    referrer_host: str  # lower-case, without "www."
    referrer_network: str  # social network of the referrer, or ""
    source_network: str  # social network named by utm_source, or ""
    referrer_engine: str  # search engine of the referrer, or ""
    referrer_is_mail: bool
    referrer_is_internal: bool
    utm_text: str = ""  # the utm values, lower-cased, one per line (for "contains" rules)

    @property
    def utm_source(self) -> str:
        return self.utm.get("utm_source", "")

    @property
    def utm_medium(self) -> str:
        return self.utm.get("utm_medium", "")

    @property
    def network(self) -> str:
        return self.source_network or self.referrer_network

    @property
    def search_term(self) -> str:
        for name in SEARCH_TERM_PARAMS:
            if self.params.get(name):
                return self.params[name]
        return ""


@lru_cache(maxsize=16384)
def _host_of(url: str) -> tuple[str, str]:
    """(scheme, host) of a URL, host lower-cased without "www."; ("", "") when unparsable."""
    url = (url or "").strip()
    if not url:
        return "", ""
    try:
        parts = urlsplit(url if "://" in url else "//" + url)
        host = parts.hostname or ""
    except ValueError:
        return "", ""
    return parts.scheme.lower(), host.lower().removeprefix("www.")


def _domain_table(table: Mapping[str, Iterable[str]]) -> dict[str, str]:
    return {domain: name for name, domains in table.items() for domain in domains}


_SOCIAL_DOMAINS = _domain_table(SOCIAL_NETWORK_HOSTS)
_SEARCH_DOMAINS = _domain_table(SEARCH_ENGINE_HOSTS)
_MAIL_DOMAINS = frozenset(MAIL_HOSTS) | frozenset(RSS_HOSTS)


def _suffixes(host: str) -> Iterator[str]:
    """The host and each parent domain: l.facebook.com, facebook.com, com."""
    labels = host.split(".")
    for start in range(len(labels)):
        yield ".".join(labels[start:])


def _lookup(host: str, table: Mapping[str, str]) -> str:
    for suffix in _suffixes(host):
        if suffix in table:
            return table[suffix]
    return ""


def social_network_for_host(host: str) -> str:
    return _lookup(host, _SOCIAL_DOMAINS)


def social_network_for_source(utm_source: str) -> str:
    value = utm_source.strip().lower()
    if not value:
        return ""
    for network, aliases in SOCIAL_NETWORK_ALIASES.items():
        if value in aliases:
            return network
    return social_network_for_host(value.removeprefix("www."))


def is_google_search_host(host: str) -> bool:
    labels = host.split(".")
    if "google" not in labels:
        return False
    at = labels.index("google")
    # google.<tld> or google.co.<cc>, optionally under a search subdomain (www., m., encrypted.).
    if at > 1 or (at == 1 and labels[0] in GOOGLE_NON_SEARCH_SUBDOMAINS):
        return False
    tld = labels[at + 1 :]
    return 1 <= len(tld) <= 2


def search_engine_for_host(host: str) -> str:
    if is_google_search_host(host):
        return "google"
    return _lookup(host, _SEARCH_DOMAINS)


def is_mail_or_rss_host(host: str) -> bool:
    return host.startswith(MAIL_HOST_PREFIXES) or any(
        suffix in _MAIL_DOMAINS for suffix in _suffixes(host)
    )


@lru_cache(maxsize=8192)
def host_kind(host: str) -> tuple[str, str, bool]:
    """(social network, search engine, is mail/RSS) of a referrer host; referrers repeat a lot,
    so the answers are cached."""
    return social_network_for_host(host), search_engine_for_host(host), is_mail_or_rss_host(host)


@lru_cache(maxsize=64)
def _normalized_hosts_cached(site_hosts: frozenset[str]) -> frozenset[str]:
    return frozenset(_host_of(h)[1] or h.lower().removeprefix("www.") for h in site_hosts if h)


def normalized_site_hosts(site_hosts: Iterable[str]) -> frozenset[str]:
    """The workspace's hosts as the rules compare them (lower-case, no scheme, no "www.")."""
    return _normalized_hosts_cached(frozenset(site_hosts))


def parse_query(url: str) -> dict[str, str]:
    """Query params of a URL, keys lower-cased, values stripped; the first value of a key wins.

    Same result as `parse_qsl(urlsplit(url).query)`, without the general URL parse (this runs
    for every session the collector or an import stores).
    """
    query = (url or "").strip().partition("#")[0].partition("?")[2]
    params: dict[str, str] = {}
    if not query:
        return params
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        if "%" in key or "+" in key:
            key = unquote_plus(key)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        params.setdefault(key.strip().lower(), value.strip())
    return params


def read_signals(*, landing_url: str, referrer: str, site_hosts: Iterable[str]) -> Signals:
    params = parse_query(landing_url)
    utm = {k: params[k] for k in UTM_PARAMS if params.get(k)}
    scheme, host = _host_of(referrer)
    network = engine = ""
    is_mail = is_internal = False
    if scheme == "android-app":
        kind, name = ANDROID_APPS.get(host, ("", ""))
        network = name if kind == "social" else ""
        engine = name if kind == "search" else ""
        is_mail = kind == "mail"
    elif host:
        is_internal = host in normalized_site_hosts(site_hosts)
        if not is_internal:
            network, engine, is_mail = host_kind(host)
    return Signals(
        params=params,
        utm=utm,
        referrer_host=host,
        referrer_network=network,
        source_network=social_network_for_source(utm.get("utm_source", "")),
        referrer_engine=engine,
        referrer_is_mail=is_mail,
        referrer_is_internal=is_internal,
        utm_text="\n".join(utm.values()).lower(),
    )


# --- The rules -----------------------------------------------------------------------------------
def _contains_any(value: str, markers: Iterable[str]) -> bool:
    value = value.lower()
    return any(m in value for m in markers)


def _any_utm_contains(s: Signals, markers: Iterable[str]) -> bool:
    return any(m in s.utm_text for m in markers)


def _paid_search(s: Signals) -> SourceResult:
    return SourceResult(PAID_SEARCH, s.search_term)


def _organic_social(s: Signals) -> SourceResult:
    return SourceResult(ORGANIC_SOCIAL, s.network)


Predicate = Callable[[Signals], bool]
Outcome = Callable[[Signals], SourceResult]


@dataclass(frozen=True)
class Rule:
    name: str
    predicate: Predicate
    outcome: Outcome


RULES: tuple[Rule, ...] = (
    Rule(
        "utm_social_from_network",
        lambda s: s.utm_medium.lower() == "social" and bool(s.network),
        _organic_social,
    ),
    Rule(
        "source_param_paid_search",
        lambda s: _contains_any(s.params.get("source", ""), PAID_SEARCH_MARKERS),
        _paid_search,
    ),
    Rule(
        "gclid",
        lambda s: any(s.params.get(k) for k in PAID_SEARCH_CLICK_IDS),
        _paid_search,
    ),
    Rule(
        "paid_social",
        lambda s: (
            (_contains_any(s.utm_medium, PAID_SOCIAL_MEDIUM_MARKERS) and bool(s.network))
            or _contains_any(s.utm_source, ("paidsocial",))
            or _contains_any(s.utm_medium, ("paidsocial",))
        ),
        lambda s: SourceResult(PAID_SOCIAL, s.network),
    ),
    Rule(
        "utm_with_google_referrer",
        lambda s: bool(s.utm) and s.referrer_engine == "google",
        _paid_search,
    ),
    Rule(
        "utm_paid_search",
        lambda s: _any_utm_contains(s, PAID_SEARCH_MARKERS),
        _paid_search,
    ),
    Rule(
        "email",
        lambda s: (
            _any_utm_contains(s, ("email",))
            or _contains_any(s.params.get("source", ""), ("email",))
        ),
        lambda s: SourceResult(EMAIL_MARKETING, s.utm.get("utm_campaign", "")),
    ),
    Rule(
        "other_utm",
        lambda s: bool(s.utm),
        lambda s: SourceResult(OTHER_CAMPAIGNS, s.utm_source, s.utm_medium),
    ),
    Rule("social_referrer", lambda s: bool(s.referrer_network), _organic_social),
    Rule(
        "mail_or_rss_referrer",
        lambda s: s.referrer_is_mail,
        lambda s: SourceResult(DIRECT_TRAFFIC),
    ),
    Rule(
        "search_engine_referrer",
        lambda s: bool(s.referrer_engine),
        lambda s: SourceResult(ORGANIC_SEARCH, s.referrer_engine),
    ),
    Rule("internal_referrer", lambda s: s.referrer_is_internal, lambda s: CONTINUE_PREVIOUS),
    Rule(
        "other_referrer",
        lambda s: bool(s.referrer_host),
        lambda s: SourceResult(REFERRALS, s.referrer_host),
    ),
    Rule("no_referrer", lambda s: True, lambda s: SourceResult(DIRECT_TRAFFIC)),
)


def classify_signals(signals: Signals) -> SourceResult:
    for rule in RULES:
        if rule.predicate(signals):
            result = rule.outcome(signals)
            return SourceResult(result.source, result.detail_1, result.detail_2, rule=rule.name)
    raise AssertionError("the last rule always matches")  # pragma: no cover


def classify_session(
    *, landing_url: str, referrer: str, site_hosts: Iterable[str] = ()
) -> SourceResult:
    """The traffic source of a session that started on `landing_url` coming from `referrer`.

    `site_hosts` are the workspace's own hosts: a referrer on one of them is internal (rule 12)
    and answers `CONTINUE_PREVIOUS`; pass it through `resolve_continuation`.
    """
    return classify_signals(
        read_signals(landing_url=landing_url, referrer=referrer, site_hosts=site_hosts)
    )
