"""Traffic-source classification (SPEC §3): one case per rule, and the precedence conflicts."""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass

import pytest

from crm.models import TrafficSource
from tracking import sources
from tracking.sources import (
    CONTINUE_PREVIOUS,
    DIRECT_TRAFFIC,
    EMAIL_MARKETING,
    ORGANIC_SEARCH,
    ORGANIC_SOCIAL,
    OTHER_CAMPAIGNS,
    PAID_SEARCH,
    PAID_SOCIAL,
    REFERRALS,
    RULES,
    SourceResult,
    classify_session,
    resolve_continuation,
)

SITE = "https://www.nordlys.example"
HOSTS = ("www.nordlys.example", "nordlys.example")


@dataclass(frozen=True)
class Case:
    name: str
    landing: str
    referrer: str
    source: str
    detail_1: str = ""
    detail_2: str = ""
    rule: str = ""


RULE_CASES = [
    Case(
        "1 utm_medium=social from a social network's utm_source is organic social",
        f"{SITE}/?utm_source=linkedin&utm_medium=social&utm_campaign=spring",
        "",
        ORGANIC_SOCIAL,
        "linkedin",
        rule="utm_social_from_network",
    ),
    Case(
        "1 utm_medium=social with a social referrer is organic social",
        f"{SITE}/?utm_source=newsletter-share&utm_medium=Social",
        "https://t.co/abc",
        ORGANIC_SOCIAL,
        "x",
        rule="utm_social_from_network",
    ),
    Case(
        "2 a source param containing adwords is paid search with the keyword",
        f"{SITE}/lp?source=AdWords_brand&keyword=gantt+chart",
        "",
        PAID_SEARCH,
        "gantt chart",
        rule="source_param_paid_search",
    ),
    Case(
        "3 gclid is paid search with the utm_term",
        f"{SITE}/lp?gclid=Cj0KCQ123&utm_term=resource+planning",
        "https://www.google.com/",
        PAID_SEARCH,
        "resource planning",
        rule="gclid",
    ),
    Case(
        "4 a paid utm_medium from a social network is paid social",
        f"{SITE}/lp?utm_source=facebook&utm_medium=paid&utm_campaign=x&fbclid=IwAR1",
        "https://l.facebook.com/",
        PAID_SOCIAL,
        "facebook",
        rule="paid_social",
    ),
    Case(
        "4 utm_medium=cpc with a LinkedIn referrer is paid social",
        f"{SITE}/lp?utm_source=partner&utm_medium=cpc",
        "https://www.linkedin.com/",
        PAID_SOCIAL,
        "linkedin",
        rule="paid_social",
    ),
    Case(
        "4 paidsocial in utm_source is paid social even without a network",
        f"{SITE}/lp?utm_source=paidsocial&utm_medium=banner",
        "",
        PAID_SOCIAL,
        "",
        rule="paid_social",
    ),
    Case(
        "5 any utm param with a Google referrer is paid search",
        f"{SITE}/lp?utm_campaign=spring&utm_term=kanban",
        "https://www.google.dk/",
        PAID_SEARCH,
        "kanban",
        rule="utm_with_google_referrer",
    ),
    Case(
        "6 a utm param containing cpc is paid search",
        f"{SITE}/lp?utm_source=bing&utm_medium=cpc&utm_term=timesheet",
        "https://www.bing.com/",
        PAID_SEARCH,
        "timesheet",
        rule="utm_paid_search",
    ),
    Case(
        "7 a utm param containing email is email marketing",
        f"{SITE}/lp?utm_source=newsletter&utm_medium=email&utm_campaign=may-digest",
        "",
        EMAIL_MARKETING,
        "may-digest",
        rule="email",
    ),
    Case(
        "7 a source param containing email is email marketing",
        f"{SITE}/lp?source=weekly-email",
        "",
        EMAIL_MARKETING,
        rule="email",
    ),
    Case(
        "8 any other utm param is other campaigns with source and medium",
        f"{SITE}/lp?utm_source=pmo-podcast&utm_medium=audio",
        "",
        OTHER_CAMPAIGNS,
        "pmo-podcast",
        "audio",
        rule="other_utm",
    ),
    Case(
        "9 a social referrer is organic social with the network",
        f"{SITE}/blog/post",
        "https://l.instagram.com/?u=x",
        ORGANIC_SOCIAL,
        "instagram",
        rule="social_referrer",
    ),
    Case(
        "9 a social app referrer is organic social",
        f"{SITE}/blog/post",
        "android-app://com.linkedin.android",
        ORGANIC_SOCIAL,
        "linkedin",
        rule="social_referrer",
    ),
    Case(
        "10 a webmail referrer is direct traffic",
        f"{SITE}/blog/post",
        "https://mail.google.com/mail/u/0/",
        DIRECT_TRAFFIC,
        rule="mail_or_rss_referrer",
    ),
    Case(
        "10 an RSS reader referrer is direct traffic",
        f"{SITE}/blog/post",
        "https://feedly.com/i/subscription",
        DIRECT_TRAFFIC,
        rule="mail_or_rss_referrer",
    ),
    Case(
        "11 a search engine referrer is organic search with the engine",
        f"{SITE}/blog/post",
        "https://duckduckgo.com/",
        ORGANIC_SEARCH,
        "duckduckgo",
        rule="search_engine_referrer",
    ),
    Case(
        "11 a country Google domain is organic search from google",
        f"{SITE}/",
        "https://www.google.co.uk/",
        ORGANIC_SEARCH,
        "google",
        rule="search_engine_referrer",
    ),
    Case(
        "13 another site's referrer is referrals with its host",
        f"{SITE}/",
        "https://www.g2.com/products/nordlys/reviews",
        REFERRALS,
        "g2.com",
        rule="other_referrer",
    ),
    Case("14 no referrer and no params is direct traffic", f"{SITE}/", "", DIRECT_TRAFFIC),
]

CONFLICT_CASES = [
    Case(
        "utm_medium=social from a network beats a Google referrer (rule 1 before 5)",
        f"{SITE}/?utm_source=linkedin&utm_medium=social",
        "https://www.google.com/",
        ORGANIC_SOCIAL,
        "linkedin",
        rule="utm_social_from_network",
    ),
    Case(
        "utm_medium=social without a network and a Google referrer is paid search (rule 5)",
        f"{SITE}/?utm_source=partner&utm_medium=social",
        "https://www.google.com/",
        PAID_SEARCH,
        rule="utm_with_google_referrer",
    ),
    Case(
        "utm_medium=social from a network beats a source=cpc param (rule 1 before 2)",
        f"{SITE}/?utm_source=facebook&utm_medium=social&source=cpc",
        "",
        ORGANIC_SOCIAL,
        "facebook",
        rule="utm_social_from_network",
    ),
    Case(
        "gclid beats a newsletter email utm (rule 3 before 7)",
        f"{SITE}/?gclid=abc&utm_source=newsletter&utm_medium=email",
        "",
        PAID_SEARCH,
        rule="gclid",
    ),
    Case(
        "paidsocial beats email (rule 4 before 7)",
        f"{SITE}/?utm_source=paidsocial&utm_medium=email",
        "",
        PAID_SOCIAL,
        rule="paid_social",
    ),
    Case(
        "an email utm opened in Gmail is email marketing, not Google paid search",
        f"{SITE}/?utm_source=newsletter&utm_medium=email",
        "https://mail.google.com/",
        EMAIL_MARKETING,
        rule="email",
    ),
    Case(
        "an email utm beats a social referrer (rule 7 before 9)",
        f"{SITE}/?utm_medium=email",
        "https://www.facebook.com/",
        EMAIL_MARKETING,
        rule="email",
    ),
    Case(
        "utm params beat an internal referrer (rule 8 before 12)",
        f"{SITE}/?utm_source=qr&utm_medium=print",
        f"{SITE}/pricing",
        OTHER_CAMPAIGNS,
        "qr",
        "print",
        rule="other_utm",
    ),
    Case(
        "a webmail host of a search company is direct traffic (rule 10 before 11)",
        f"{SITE}/",
        "https://mail.yahoo.com/",
        DIRECT_TRAFFIC,
        rule="mail_or_rss_referrer",
    ),
    Case(
        "a social referrer beats a search engine lookalike (rule 9 before 11)",
        f"{SITE}/",
        "https://www.youtube.com/watch",
        ORGANIC_SOCIAL,
        "youtube",
        rule="social_referrer",
    ),
]


@pytest.mark.parametrize("case", RULE_CASES, ids=lambda c: c.name)
def test_each_rule_classifies_its_case(case: Case) -> None:
    result = classify_session(landing_url=case.landing, referrer=case.referrer, site_hosts=HOSTS)
    assert (result.source, result.detail_1, result.detail_2) == (
        case.source,
        case.detail_1,
        case.detail_2,
    )
    if case.rule:
        assert result.rule == case.rule


@pytest.mark.parametrize("case", CONFLICT_CASES, ids=lambda c: c.name)
def test_the_earlier_rule_wins_a_conflict(case: Case) -> None:
    result = classify_session(landing_url=case.landing, referrer=case.referrer, site_hosts=HOSTS)
    assert (result.source, result.detail_1, result.detail_2, result.rule) == (
        case.source,
        case.detail_1,
        case.detail_2,
        case.rule,
    )


def test_rule_12_an_internal_referrer_continues_the_previous_source() -> None:
    result = classify_session(
        landing_url=f"{SITE}/features", referrer=f"{SITE}/pricing", site_hosts=HOSTS
    )
    assert result.continues_previous
    assert result == CONTINUE_PREVIOUS
    previous = SourceResult(PAID_SEARCH, "gantt chart")
    assert resolve_continuation(result, previous) == previous


def test_an_internal_referrer_without_a_previous_session_is_direct_traffic() -> None:
    result = classify_session(
        landing_url=f"{SITE}/features", referrer="http://nordlys.example/", site_hosts=HOSTS
    )
    assert resolve_continuation(result, None) == SourceResult(DIRECT_TRAFFIC)


def test_an_internal_referrer_is_a_referral_when_the_site_hosts_are_not_given() -> None:
    result = classify_session(landing_url=f"{SITE}/features", referrer=f"{SITE}/pricing")
    assert result == SourceResult(REFERRALS, "nordlys.example")


def test_resolve_continuation_keeps_a_real_source() -> None:
    organic = SourceResult(ORGANIC_SEARCH, "bing")
    assert resolve_continuation(organic, SourceResult(PAID_SEARCH)) is organic


def test_rules_are_a_table_in_spec_order() -> None:
    assert [r.name for r in RULES] == [
        "utm_social_from_network",
        "source_param_paid_search",
        "gclid",
        "paid_social",
        "utm_with_google_referrer",
        "utm_paid_search",
        "email",
        "other_utm",
        "social_referrer",
        "mail_or_rss_referrer",
        "search_engine_referrer",
        "internal_referrer",
        "other_referrer",
        "no_referrer",
    ]


def test_a_malformed_referrer_is_treated_as_no_referrer() -> None:
    result = classify_session(landing_url=f"{SITE}/", referrer="http://[broken", site_hosts=HOSTS)
    assert result.source == DIRECT_TRAFFIC


def test_a_google_service_that_is_not_search_is_not_organic_search() -> None:
    result = classify_session(
        landing_url=f"{SITE}/", referrer="https://docs.google.com/document/d/1", site_hosts=HOSTS
    )
    assert result == SourceResult(REFERRALS, "docs.google.com")


def test_the_pure_constants_equal_the_crm_choices() -> None:
    assert set(sources.ALL_SOURCES) == set(TrafficSource.values)
    assert sources.OFFLINE_SOURCES == TrafficSource.OFFLINE_SOURCES


def test_the_classifier_module_does_not_import_django() -> None:
    tree = ast.parse(inspect.getsource(sources))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert imported <= {"__future__", "collections", "dataclasses", "functools", "urllib"}
