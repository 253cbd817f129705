"""People in the demo: names and emails, lifecycle progress, and the deals that come of it."""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from crm.models import DealStage, LifecycleStage
from crm.services import NewDeal
from reporting.demo import catalog as C
from reporting.demo.world import DAY, dt

HOUR = 3600
_ASCII = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ö": "o", "ä": "a", "Ø": "O", "Æ": "Ae"})


def _ascii(text: str) -> str:
    text = text.translate(_ASCII)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@dataclass
class Directory:
    """Unique names and emails across the whole demo; colleagues share a company domain."""

    rng: random.Random
    company_count: int
    taken: set[str] = field(default_factory=set)
    domains: list[tuple[str, str]] = field(default_factory=list)  # (domain, company name)
    _cumulative: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        while len(self.domains) < self.company_count:
            prefix = self.rng.choice(C.COMPANY_PREFIXES)
            suffix = self.rng.choice(C.COMPANY_SUFFIXES)
            tld = self.rng.choice(C.COMPANY_TLDS)
            slug = _ascii(prefix + suffix)
            domain = f"{slug}.{tld}.example"
            if domain in seen:
                if len(seen) >= len(C.COMPANY_PREFIXES) * len(C.COMPANY_SUFFIXES) * 6:
                    break
                continue
            seen.add(domain)
            self.domains.append((domain, f"{prefix}{suffix}".title()))
        # A few big companies and a long tail, as in real B2B data (Zipf-like weights).
        total = 0.0
        for rank in range(len(self.domains)):
            total += 1 / (rank + 10) ** 1.1
            self._cumulative.append(total)

    def person(self) -> tuple[str, str, str, int]:
        """(first name, last name, email, company index)."""
        rng = self.rng
        first, last = rng.choice(C.FIRST_NAMES), rng.choice(C.LAST_NAMES)
        company = bisect_right(self._cumulative, rng.random() * self._cumulative[-1])
        company = min(company, len(self.domains) - 1)
        local = f"{_ascii(first)}.{_ascii(last).replace(' ', '')}"
        email = f"{local}@{self.domains[company][0]}"
        n = 2
        while email in self.taken:
            email, n = f"{local}{n}@{self.domains[company][0]}", n + 1
        self.taken.add(email)
        return first, last, email, company


@dataclass
class Progress:
    """A contact's way through the lifecycle (times are epoch seconds)."""

    history: list[tuple[str, int]]
    mql_ts: int | None = None
    sql_ts: int | None = None
    opp_ts: int | None = None
    outcome: str = ""  # won | lost | open (only with opp_ts)
    close_ts: int | None = None


def progress(rng: random.Random, *, created_ts: int, initial: str, end_ts: int) -> Progress:
    """Subscriber → lead → MQL → SQL → opportunity → customer, each step a chance and a delay;
    nothing happens at or after `end_ts` (today)."""
    result = Progress(history=[(initial, created_ts)])
    if initial == LifecycleStage.OTHER:
        return result
    t = created_ts
    steps = (
        (LifecycleStage.LEAD, 0.3, 10 * DAY),
        (LifecycleStage.MQL, 0.5, 6 * DAY),
        (LifecycleStage.SQL, 0.55, 8 * DAY),
        (LifecycleStage.OPPORTUNITY, 0.6, 6 * DAY),
    )
    order: list[str] = [s for s, _, _ in steps]
    start = order.index(initial) + 1 if initial in order else 0
    for stage, chance, mean in steps[start:]:
        if rng.random() >= chance:
            return result
        t = t + HOUR + int(rng.expovariate(1 / mean))
        if t >= end_ts:
            return result
        result.history.append((stage, t))
        if stage == LifecycleStage.MQL:
            result.mql_ts = t
        elif stage == LifecycleStage.SQL:
            result.sql_ts = t
        elif stage == LifecycleStage.OPPORTUNITY:
            result.opp_ts = t
    _close(rng, result, t, end_ts)
    return result


def _close(rng: random.Random, result: Progress, opp_ts: int, end_ts: int) -> None:
    roll = rng.random()
    close = opp_ts + 3 * DAY + int(rng.expovariate(1 / (25 * DAY)))
    if roll >= 0.75 or close >= end_ts:
        result.outcome = "open"
        return
    result.close_ts = close
    if roll < 0.45:
        result.outcome = "won"
        result.history.append((LifecycleStage.CUSTOMER, close))
        evangelist = close + int(rng.expovariate(1 / (60 * DAY)))
        if rng.random() < 0.1 and evangelist < end_ts:
            result.history.append((LifecycleStage.EVANGELIST, evangelist))
    else:
        result.outcome = "lost"


@dataclass
class ContactFacts:
    """What later phases need to know of a stored contact."""

    contact_id: int
    created_ts: int
    company: int
    visitor_id: int | None
    progress: Progress
    imported: bool


PLAN_AMOUNTS = {
    "Team plan": (2_000, 8_000),
    "Business plan": (8_000, 30_000),
    "Enterprise plan": (30_000, 120_000),
    "Portfolio add-on": (3_000, 12_000),
    "Onboarding": (1_000, 5_000),
}
DKK_PER_EUR = 7.46


def plan_deals(
    rng: random.Random, *, facts: list[ContactFacts], directory: Directory, end_ts: int
) -> list[NewDeal]:
    """One deal per contact that reached opportunity: created then, closed at the outcome's time,
    with colleagues from the same company joining (a few only after the close)."""
    by_company: dict[int, list[tuple[int, int]]] = {}
    created = {f.contact_id: f.created_ts for f in facts}
    for f in facts:
        by_company.setdefault(f.company, []).append((f.created_ts, f.contact_id))
    for members in by_company.values():
        members.sort()
    deals: list[NewDeal] = []
    for f in facts:
        p = f.progress
        if p.opp_ts is None:
            continue
        domain, company = directory.domains[f.company]
        plan = rng.choice(C.DEAL_PLANS)
        low, high = PLAN_AMOUNTS[plan]
        amount = rng.uniform(low, high)
        currency = C.COMPANY_CURRENCY
        if (domain.split(".")[1] == "dk" and rng.random() < 0.7) or rng.random() < 0.1:
            currency, amount = C.OTHER_CURRENCY, amount * DKK_PER_EUR
        stage = {"won": DealStage.CLOSED_WON, "lost": DealStage.CLOSED_LOST}.get(
            p.outcome, DealStage.OPEN
        )
        links = [(f.contact_id, dt(p.opp_ts))]
        links += _colleagues(rng, f, p, by_company.get(f.company, []), created, end_ts)
        deals.append(
            NewDeal(
                name=f"{company} - {plan}",
                amount=Decimal(str(round(amount, -1))),
                currency=currency,
                created_at=dt(p.opp_ts),
                stage=stage,
                closed_at=dt(p.close_ts) if p.close_ts is not None else None,
                pipeline="partner" if rng.random() < 0.15 else "default",
                contacts=tuple(links),
            )
        )
    return _ensure_late_links(deals, end_ts)


def _ensure_late_links(deals: list[NewDeal], end_ts: int) -> list[NewDeal]:
    """A few contacts always join a deal after it closed (a case the revenue rules treat
    differently), even when chance made none."""
    wanted = max(3, len(deals) // 40)
    late = sum(
        1 for d in deals for _, at in d.contacts if d.closed_at is not None and at > d.closed_at
    )
    result = []
    for deal in deals:
        closed = deal.closed_at
        if late < wanted and closed is not None and len(deal.contacts) >= 2:
            at = closed + timedelta(days=2)
            if at.timestamp() < end_ts and all(a <= closed for _, a in deal.contacts):
                contact_id, _ = deal.contacts[-1]
                deal = replace(deal, contacts=(*deal.contacts[:-1], (contact_id, at)))
                late += 1
        result.append(deal)
    return result


def _colleagues(
    rng: random.Random,
    f: ContactFacts,
    p: Progress,
    members: list[tuple[int, int]],
    created: dict[int, int],
    end_ts: int,
) -> list[tuple[int, datetime]]:
    assert p.opp_ts is not None
    wanted = rng.choices((0, 1, 2), weights=(0.55, 0.3, 0.15))[0]
    horizon = p.close_ts if p.close_ts is not None else end_ts
    upto = bisect_right(members, (horizon, 1 << 62))
    pool = [cid for _, cid in members[:upto] if cid != f.contact_id]
    links: list[tuple[int, datetime]] = []
    for cid in rng.sample(pool, min(wanted, len(pool))):
        begin = max(p.opp_ts, created[cid])
        at = begin + int(rng.random() * max(HOUR, horizon - begin) * 0.8)
        if p.close_ts is not None and rng.random() < 0.08:
            at = p.close_ts + rng.randint(1, 10) * DAY  # added to the deal after it closed
        if at < end_ts:
            links.append((cid, dt(at)))
    return links
