"""Sessions, page views and the interactions that happen on the way (phases B and C).

`SessionBuilder.session()` turns "visitor V arrived at time T through channel X" into a stored
session with 1 to N page views: the landing URL and referrer of that channel (UTM links with the
campaigns' utm values, paid search with search terms and gclid, organic social per network,
paid social with fbclid / li_fat_id, email, referrals, organic search, direct, internal), the
classification by `tracking.sources` (through `tracking.services.prepare_session`), CTA views
and clicks, media plays, social and ad clicks, and — for a converting visitor — the form
submission with the contact's first- and last-touch campaigns (`tracking.services`' SPEC §4.1
functions). Rows are buffered and written in bulk by the caller.
"""

from __future__ import annotations

import bisect
import random
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate
from urllib.parse import quote_plus

from assets.selectors import CampaignResolver
from reporting.demo import catalog as C
from reporting.demo.world import DAY, EntryPoint, Page, World, dt
from tracking.models import InteractionType
from tracking.services import (
    InteractionInput,
    PageViewInput,
    PreparedSession,
    SessionInput,
    Touch,
    first_touch_campaign,
    last_touch_campaign,
    prepare_session,
)
from tracking.sources import SourceResult

# How visitors arrive: first visits, and return visits (more direct, some internal referrers).
FIRST_VISIT_CHANNELS = (
    ("organic_search", 0.28),
    ("direct", 0.13),
    ("referral", 0.08),
    ("social_organic", 0.06),
    ("social_utm", 0.09),
    ("paid_search", 0.15),
    ("paid_social", 0.11),
    ("tracking", 0.07),
    ("mail_ref", 0.03),
)
RETURN_VISIT_CHANNELS = (
    ("direct", 0.28),
    ("organic_search", 0.22),
    ("internal", 0.04),
    ("referral", 0.05),
    ("social_organic", 0.04),
    ("social_utm", 0.07),
    ("paid_search", 0.13),
    ("paid_social", 0.08),
    ("tracking", 0.04),
    ("mail_ref", 0.05),
)
ENTRY_CATEGORIES = frozenset({"social_utm", "paid_search", "paid_social", "tracking"})


def _cumulative(weights: list[float]) -> list[float]:
    return list(accumulate(weights))


@dataclass
class VisitorState:
    """What the builder remembers about a visitor between its sessions (in time order)."""

    first_seen: int
    first_touch: Touch | None = None
    first_source: SourceResult | None = None
    previous_source: SourceResult | None = None
    contact_since: int | None = None  # when the visitor became a contact
    contact_id: int | None = None  # known when the contact already exists (phase C)


@dataclass
class Conversion:
    visitor_id: int
    session_id: int
    at: int
    form_id: int
    stage: str
    first_campaign: int | None
    last_campaign: int | None
    source: SourceResult


@dataclass
class Buffers:
    sessions: list[PreparedSession] = field(default_factory=list)
    session_ids: list[int] = field(default_factory=list)
    page_views: list[PageViewInput] = field(default_factory=list)
    interactions: list[InteractionInput] = field(default_factory=list)
    conversions: list[Conversion] = field(default_factory=list)

    def clear(self) -> None:
        self.sessions, self.session_ids, self.page_views = [], [], []
        self.interactions, self.conversions = [], []


class SessionBuilder:
    def __init__(
        self,
        *,
        world: World,
        resolver: CampaignResolver,
        utm_lookup: dict[str, int],
        rng: random.Random,
    ) -> None:
        self.world, self.resolver, self.utm_lookup, self.rng = world, resolver, utm_lookup, rng
        self.site_hosts = tuple(C.SITE_HOSTS)
        self.pages: list[Page] = world.pages
        self.buffers = Buffers()
        # (form id, visitor id, contact id or None, time): for workflows and events.
        self.form_submissions: list[tuple[int, int, int | None, int]] = []
        self.ad_clicks: Counter[tuple[int, int]] = Counter()  # (ad id, day index)
        self.keyword_clicks: Counter[tuple[int, int]] = Counter()  # (keyword id, day index)
        self._entry_cache: dict[tuple[str, int], tuple[list[EntryPoint], list[float]]] = {}
        self._index_pages()
        self._index_referrers()

    # --- set-up ----------------------------------------------------------------------------------
    def _index_pages(self) -> None:
        site = [i for i, p in enumerate(self.pages) if p.kind == "site"]
        self.home = site[0]
        self.site = site
        self.site_cum = _cumulative([self.pages[i].weight for i in site])
        blogs = sorted((p.published_ts, i) for i, p in enumerate(self.pages) if p.kind == "blog")
        self.blog_pub = [t for t, _ in blogs]
        self.blog_idx = [i for _, i in blogs]
        self.campaign_pages: dict[int, list[int]] = {}
        for i, p in enumerate(self.pages):
            if p.campaign is not None:
                self.campaign_pages.setdefault(p.campaign, []).append(i)

    def _index_referrers(self) -> None:
        self.engines = [u for u, _ in C.SEARCH_ENGINES]
        self.engine_cum = _cumulative([w for _, w in C.SEARCH_ENGINES])
        self.socials = [u for _, u, _ in C.SOCIAL_REFERRERS]
        self.social_cum = _cumulative([w for _, _, w in C.SOCIAL_REFERRERS])
        self.referrals = [u for u, _ in C.REFERRAL_SITES]
        self.referral_cum = _cumulative([w for _, w in C.REFERRAL_SITES])

    def _pick(self, items: list[str], cum: list[float]) -> str:
        return items[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    def entries_at(self, category: str, at: int) -> tuple[list[EntryPoint], list[float]]:
        day = (at - self.world.start_ts) // DAY
        key = (category, day)
        if key not in self._entry_cache:
            mid = self.world.start_ts + day * DAY + DAY // 2
            live = [
                e
                for e in self.world.entries
                if e.category == category and e.from_ts <= mid < e.to_ts
            ]
            self._entry_cache[key] = (live, _cumulative([e.weight for e in live]))
        return self._entry_cache[key]

    def pick_entry(self, category: str, at: int) -> EntryPoint | None:
        live, cum = self.entries_at(category, at)
        if not live:
            return None
        return live[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    # --- pages -----------------------------------------------------------------------------------
    def site_page(self) -> int:
        return self.site[bisect.bisect_right(self.site_cum, self.rng.random() * self.site_cum[-1])]

    def blog_page(self, at: int) -> int:
        """A published blog post, recent ones more likely."""
        published = bisect.bisect_right(self.blog_pub, at)
        if not published:
            return self.home
        back = min(published - 1, int(self.rng.expovariate(1 / max(3.0, published / 4))))
        return self.blog_idx[published - 1 - back]

    def browse(self, at: int, campaign: int | None) -> int:
        roll = self.rng.random()
        if roll < 0.5:
            return self.site_page()
        if roll < 0.85 or campaign is None:
            return self.blog_page(at)
        choice = self.rng.choice(self.campaign_pages.get(campaign) or [self.home])
        return choice if self.pages[choice].published_ts <= at else self.home

    # --- arrival ---------------------------------------------------------------------------------
    def _click_id(self, bits: int = 96) -> str:
        return format(self.rng.getrandbits(bits), "x")

    def arrival(
        self, channel: str, at: int, entry: EntryPoint | None
    ) -> tuple[int, str, str, EntryPoint | None]:
        """(landing page index, landing URL, referrer, entry whose ad/touch applies)."""
        rng = self.rng
        if entry is not None:
            return self._entry_arrival(entry, at)
        if channel == "organic_search":
            page = self.blog_page(at) if rng.random() < 0.62 else self.site_page()
            referrer = self._pick(self.engines, self.engine_cum)
        elif channel == "referral":
            page = self.blog_page(at) if rng.random() < 0.35 else self.site_page()
            referrer = self._pick(self.referrals, self.referral_cum)
        elif channel == "social_organic":
            page = self.blog_page(at) if rng.random() < 0.75 else self.home
            referrer = self._pick(self.socials, self.social_cum)
        elif channel == "mail_ref":
            page = self.blog_page(at) if rng.random() < 0.7 else self.home
            referrer = rng.choice(C.MAIL_REFERRERS)
        elif channel == "internal":
            page = self.site_page()
            referrer = self.pages[self.site_page()].url
        else:  # direct
            roll = rng.random()
            page = (
                self.home if roll < 0.55 else self.site_page() if roll < 0.8 else self.blog_page(at)
            )
            referrer = ""
        return page, self.pages[page].url, referrer, None

    def _entry_arrival(self, entry: EntryPoint, at: int) -> tuple[int, str, str, EntryPoint | None]:
        page = entry.page if self.pages[entry.page].published_ts <= at else self.home
        base = self.pages[page].url
        params, referrer, applies = entry.params, entry.referrer, entry
        if entry.category == "paid_search" and params:
            roll = self.rng.random()
            if roll < 0.06:  # an old hand-made link: source=adwords (rule 2), no click id
                term = quote_plus(entry.keyword_text)
                return page, f"{base}?source=adwords&keyword={term}", referrer, None
            if roll < 0.14:  # the same campaign on Microsoft Ads (msclkid, no linked ad)
                params = params.replace("utm_source=google", "utm_source=bing")
                return (
                    page,
                    f"{base}?{params}&msclkid={self._click_id(128)}",
                    "https://www.bing.com/",
                    None,
                )
            if roll < 0.22:  # auto-tagging off: utm + Google referrer (rule 5)
                return page, f"{base}?{params}", referrer, entry
        query = params
        if entry.click_id:
            click = f"{entry.click_id}={self._click_id(128 if entry.click_id != 'gclid' else 96)}"
            query = f"{query}&{click}" if query else click
        return page, f"{base}?{query}" if query else base, referrer, applies

    # --- one session -----------------------------------------------------------------------------
    def session(
        self,
        *,
        sid: int,
        visitor_id: int,
        start: int,
        channel: str,
        n_pages: int,
        is_new: bool,
        state: VisitorState,
        converting: bool = False,
        forced: tuple[int, str, str] | None = None,
    ) -> None:
        """Build one session (and a conversion at its end when `converting`).

        `forced` is (page, URL, referrer) for arrivals decided by the caller (email clicks).
        """
        rng = self.rng
        entry = None
        if forced is not None:
            landing, url, referrer = forced
            applies = None
        else:
            if channel in ENTRY_CATEGORIES:
                entry = self.pick_entry(channel, start)
                channel = channel if entry is not None else "organic_search"
            landing, url, referrer, applies = self.arrival(channel, start, entry)
        pages, times, cta_clicks = self._walk(landing, start, n_pages)
        if converting:
            landings = [k for k, p in enumerate(pages) if self.pages[p].kind == "landing"]
            if landings:
                cut = landings[-1] + 1
                pages, times = pages[:cut], times[:cut]
                cta_clicks = [c for c in cta_clicks if c[1] < times[-1]]
        end_at = times[-1] + rng.randint(30, 150)
        submit = converting or (
            state.contact_since is not None
            and state.contact_since < start
            and self.pages[pages[-1]].kind == "landing"
            and rng.random() < 0.3
        )
        prepared = prepare_session(
            SessionInput(
                visitor_id=visitor_id,
                started_at=dt(start),
                landing_url=url,
                referrer=referrer,
                contact_id=state.contact_id,
                last_activity_at=dt(end_at if submit else times[-1]),
                ad_id=applies.ad_id if applies is not None else None,
                is_new_visitor=is_new,
                page_view_count=len(pages),
                previous_source=state.previous_source,
            ),
            site_hosts=self.site_hosts,
            utm_lookup=self.utm_lookup,
        )
        b = self.buffers
        b.sessions.append(prepared)
        b.session_ids.append(sid)
        state.previous_source = prepared.source_result
        if state.first_source is None:
            state.first_source = prepared.source_result
        self._touch_in(applies, sid, visitor_id, start, prepared, state)
        touches = self._page_views(sid, visitor_id, pages, times, url, referrer, prepared, state)
        self._cta_clicks(cta_clicks, sid, visitor_id, prepared.source, state)
        if submit:
            self._submit(sid, visitor_id, pages[-1], end_at, prepared, state, touches, converting)

    def _walk(self, landing: int, start: int, n_pages: int) -> tuple[list[int], list[int], list]:
        rng, pages, times, clicks = self.rng, [landing], [start], []
        campaign = self.pages[landing].campaign
        t = start
        for _ in range(n_pages - 1):
            t += rng.randint(20, 240)
            cta = self.pages[pages[-1]].cta
            if cta is not None and rng.random() < 0.08:
                clicks.append((cta[0], t - 3))
                nxt = cta[1]
            else:
                nxt = self.browse(t, campaign)
            if self.pages[nxt].published_ts > t:
                nxt = self.home
            pages.append(nxt)
            times.append(t)
        return pages, times, clicks

    def _touch_in(
        self,
        applies: EntryPoint | None,
        sid: int,
        visitor_id: int,
        start: int,
        prepared: PreparedSession,
        state: VisitorState,
    ) -> None:
        """The click that brought the visitor: a social post click or an ad click (with the
        impressions before it), and the ad's click count for the network metrics."""
        if applies is None:
            return
        rows = self.buffers.interactions
        if applies.touch_asset_id is not None and applies.touch_type == "social_click":
            rows.append(
                InteractionInput(
                    InteractionType.SOCIAL_CLICK,
                    dt(start - 3),
                    state.contact_id,
                    visitor_id,
                    applies.touch_asset_id,
                    sid,
                    prepared.source,
                )
            )
        if prepared.ad_id is None:
            return
        day = (start - self.world.start_ts) // DAY
        self.ad_clicks[(prepared.ad_id, day)] += 1
        if applies.keyword_id is not None:
            self.keyword_clicks[(applies.keyword_id, day)] += 1
        if applies.touch_asset_id is None:
            return
        for _ in range(self.rng.randint(0, 2)):
            seen = start - self.rng.randint(300, 6 * 3600)
            state.first_seen = min(state.first_seen, seen)
            rows.append(
                InteractionInput(
                    InteractionType.AD_IMPRESSION,
                    dt(seen),
                    state.contact_id,
                    visitor_id,
                    applies.touch_asset_id,
                )
            )
        rows.append(
            InteractionInput(
                InteractionType.AD_CLICK,
                dt(start - 2),
                state.contact_id,
                visitor_id,
                applies.touch_asset_id,
                sid,
                prepared.source,
            )
        )

    def _page_views(
        self,
        sid: int,
        visitor_id: int,
        pages: list[int],
        times: list[int],
        landing_url: str,
        referrer: str,
        prepared: PreparedSession,
        state: VisitorState,
    ) -> list[Touch]:
        """Page views (+ CTA views, media plays); returns the session's page touches."""
        b, rng, resolver = self.buffers, self.rng, self.resolver
        contact_id, source = state.contact_id, prepared.source
        touches: list[Touch] = []
        previous_url = referrer
        for k, (index, at) in enumerate(zip(pages, times, strict=True)):
            page = self.pages[index]
            url = landing_url if k == 0 else page.url
            utm_id = prepared.utm_campaign_ref_id if k == 0 else None
            when = dt(at)
            b.page_views.append(
                PageViewInput(
                    sid,
                    visitor_id,
                    url,
                    when,
                    page.asset_id,
                    contact_id,
                    source,
                    utm_id,
                    page.title,
                    previous_url,
                    page.normalized_url,
                )
            )
            previous_url = url
            touch = Touch(resolver.campaign_for(page.asset_id, when), utm_id)
            if state.first_touch is None:
                state.first_touch = touch
            touches.append(touch)
            if page.cta is not None:
                b.interactions.append(
                    InteractionInput(
                        InteractionType.CTA_VIEW,
                        when,
                        contact_id,
                        visitor_id,
                        page.cta[0],
                        sid,
                        source,
                    )
                )
            if page.media_id is not None and rng.random() < 0.15:
                b.interactions.append(
                    InteractionInput(
                        InteractionType.MEDIA_PLAY,
                        dt(at + 20),
                        contact_id,
                        visitor_id,
                        page.media_id,
                        sid,
                        source,
                    )
                )
        return touches

    def _cta_clicks(
        self,
        clicks: list[tuple[int, int]],
        sid: int,
        visitor_id: int,
        source: str,
        state: VisitorState,
    ) -> None:
        for cta_id, at in clicks:
            self.buffers.interactions.append(
                InteractionInput(
                    InteractionType.CTA_CLICK,
                    dt(at),
                    state.contact_id,
                    visitor_id,
                    cta_id,
                    sid,
                    source,
                )
            )

    def _submit(
        self,
        sid: int,
        visitor_id: int,
        page_index: int,
        at: int,
        prepared: PreparedSession,
        state: VisitorState,
        touches: list[Touch],
        converting: bool,
    ) -> None:
        page = self.pages[page_index]
        form_id = page.form_id or self.world.forms["contact"]
        when = dt(at)
        self.buffers.interactions.append(
            InteractionInput(
                InteractionType.FORM_SUBMISSION,
                when,
                state.contact_id,
                visitor_id,
                form_id,
                sid,
                prepared.source,
            )
        )
        self.form_submissions.append((form_id, visitor_id, state.contact_id, at))
        if not converting:
            return
        form_touch = Touch(self.resolver.campaign_for(form_id, when))
        assert state.first_source is not None
        self.buffers.conversions.append(
            Conversion(
                visitor_id=visitor_id,
                session_id=sid,
                at=at,
                form_id=form_id,
                stage=page.form_stage,
                first_campaign=first_touch_campaign(state.first_touch),
                last_campaign=last_touch_campaign(session_pages=touches, form=form_touch),
                source=state.first_source,
            )
        )
        state.contact_since = at


def email_landing(world: World, *, page: int, utm: str, slug: str) -> str:
    """The URL behind a marketing email's button: the page with the email's UTM params."""
    return (
        f"{world.pages[page].url}?utm_source=touchpoint&utm_medium=email"
        f"&utm_campaign={utm}&utm_content={slug}"
    )
