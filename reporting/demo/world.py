"""The demo's world: what the later phases draw from, and the primitives that make it.

Plain data (`World`, `Page`, `CampaignInfo`, `EntryPoint`, ...), the demo logins, teams and
exchange rates, and the site itself (pages, the forms on them, the evergreen blog). Campaigns and
their assets are made in `campaign_setup`, ad accounts in `ad_setup`, all tied together by
`build.build_world`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from ads.models import AdAccount
from assets.models import Asset, AssetType
from assets.services import create_asset, normalize_url
from reporting.demo import catalog as C
from reporting.demo.config import Scale
from workspaces.models import ExchangeRate, Membership, Role, Team, Workspace

DAY = 86_400


def ts(value: datetime) -> int:
    return int(value.timestamp())


def dt(value: int | float) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)


@dataclass
class Page:
    """A website asset (site page, blog post or landing page)."""

    asset_id: int
    kind: str  # site | blog | landing
    url: str
    normalized_url: str
    title: str
    published_ts: int
    weight: float = 1.0
    form_id: int | None = None  # the form shown on the page
    form_stage: str = "lead"  # lifecycle stage a conversion on it starts in
    cta: tuple[int, int] | None = None  # (CTA asset id, index of the page it leads to)
    media_id: int | None = None
    campaign: int | None = None  # index of the campaign that made it (None: site / evergreen)


@dataclass
class CampaignInfo:
    id: int
    index: int
    name: str
    kind: str
    utm: str
    start_ts: int
    end_ts: int  # traffic stops here (end date, or the end of the data)
    created_ts: int
    weight: float
    landing_pages: list[int] = field(default_factory=list)  # indices into World.pages
    blog_posts: list[int] = field(default_factory=list)
    forms: list[int] = field(default_factory=list)


@dataclass
class EntryPoint:
    """A way into the site carrying a campaign: a social post, an ad, a keyword, a link."""

    category: str  # social_utm | paid_social | paid_search | tracking
    campaign: int | None  # campaign index
    page: int  # landing page index
    params: str  # query string (without click ids)
    referrer: str
    from_ts: int
    to_ts: int
    weight: float
    network: str = ""
    click_id: str = ""  # gclid | fbclid | li_fat_id | msclkid
    ad_id: int | None = None
    keyword_id: int | None = None
    keyword_text: str = ""
    touch_asset_id: int | None = None  # social post / ad campaign asset clicked on the way in
    touch_type: str = ""  # social_click | ad_click


@dataclass
class EmailInfo:
    asset_id: int
    campaign: int
    send_ts: int
    page: int
    slug: str
    audience_share: float = 1.0  # an A/B variant gets half the audience


@dataclass
class EventInfo:
    asset_id: int
    campaign: int
    event_ts: int
    form_ids: list[int]
    list_id: int | None = None


@dataclass
class AdInfo:
    ad_id: int
    network: str
    ad_campaign_id: int
    ad_group_id: int
    from_ts: int
    to_ts: int
    tracked: bool
    external_id: str = ""


@dataclass
class KeywordInfo:
    keyword_id: int
    text: str
    ad_campaign_id: int
    ad_group_id: int
    ad_ids: list[int]
    from_ts: int
    to_ts: int


@dataclass
class World:
    workspace: Workspace
    scale: Scale
    rng: random.Random
    start_ts: int
    end_ts: int
    tz: ZoneInfo
    users: dict[str, Any] = field(default_factory=dict)
    campaigns: list[CampaignInfo] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    forms: dict[str, int] = field(default_factory=dict)  # global forms by kind
    entries: list[EntryPoint] = field(default_factory=list)
    emails: list[EmailInfo] = field(default_factory=list)
    events: list[EventInfo] = field(default_factory=list)
    workflows: dict[int, list[int]] = field(default_factory=dict)  # workflow → trigger forms
    lists: dict[str, list[int]] = field(default_factory=dict)  # purpose → list asset ids
    ads: list[AdInfo] = field(default_factory=list)
    keywords: list[KeywordInfo] = field(default_factory=list)
    accounts: dict[str, AdAccount] = field(default_factory=dict)
    asset_created: dict[int, int] = field(default_factory=dict)  # asset id → created ts
    flags: dict[str, bool] = field(default_factory=dict)  # "made at least one of these"
    counter: int = 0

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    def local_midnight(self, day: date) -> int:
        return ts(datetime.combine(day, time(), tzinfo=self.tz))

    def day_of(self, value: int) -> date:
        return dt(value).astimezone(self.tz).date()


# --- Users, teams, settings ----------------------------------------------------------------------
def ensure_demo_users() -> dict[str, Any]:
    """The three demo logins, with the documented password (reset if someone changed it)."""
    from allauth.account.models import EmailAddress

    user_model = get_user_model()
    users: dict[str, Any] = {}
    for email, role, first, last in C.DEMO_USERS:
        user = user_model.objects.filter(email__iexact=email).first()
        if user is None:
            user = user_model.objects.create_user(
                username=email, email=email, first_name=first, last_name=last
            )
        if not user.check_password(C.DEMO_PASSWORD) or not user.is_active:
            user.set_password(C.DEMO_PASSWORD)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"primary": True, "verified": True}
        )
        users[role] = user
    return users


def ensure_memberships(workspace: Workspace, users: dict[str, Any]) -> None:
    for role, user in users.items():
        Membership.objects.update_or_create(
            workspace=workspace, user=user, defaults={"role": Role(role)}
        )


def create_teams(world: World) -> None:
    ws = world.workspace
    growth, brand = (Team.objects.create(workspace=ws, name=name) for name in C.TEAMS)
    memberships = {m.user_id: m for m in Membership.objects.for_workspace(ws)}
    memberships[world.users["admin"].pk].teams.add(growth, brand)
    memberships[world.users["marketer"].pk].teams.add(growth)
    memberships[world.users["viewer"].pk].teams.add(brand)
    world.users["team_growth"] = growth


def create_exchange_rates(world: World) -> None:
    """Monthly DKK rates from well before the first amount to the last day."""
    first = world.day_of(world.start_ts) - timedelta(days=120)
    last = world.day_of(world.end_ts)
    day, rows = first.replace(day=1), []
    while day <= last:
        wobble = Decimal(str(round(world.rng.uniform(-0.0004, 0.0004), 6)))
        rows.append(
            ExchangeRate(
                workspace=world.workspace,
                currency=C.OTHER_CURRENCY,
                rate=Decimal(str(C.DKK_RATE)) + wobble,
                effective_date=day,
            )
        )
        day = (day + timedelta(days=32)).replace(day=1)
    ExchangeRate.objects.bulk_create(rows)


# --- Assets --------------------------------------------------------------------------------------
def new_asset(
    world: World,
    *,
    type: str,
    name: str,
    created_ts: int,
    url: str = "",
    published_ts: int | None = None,
    **extra: Any,
) -> Asset:
    asset = create_asset(
        workspace=world.workspace,
        type=type,
        name=name[:300],
        url=url,
        published_at=dt(published_ts) if published_ts is not None else None,
        **extra,
    )
    world.asset_created[asset.pk] = created_ts
    return asset


def add_page(world: World, asset: Asset, kind: str, **extra: Any) -> int:
    world.pages.append(
        Page(
            asset_id=asset.pk,
            kind=kind,
            url=asset.url,
            normalized_url=normalize_url(asset.url),
            title=asset.name,
            published_ts=ts(asset.published_at) if asset.published_at else world.start_ts,
            **extra,
        )
    )
    return len(world.pages) - 1


def create_site(world: World) -> None:
    """The site pages and the forms on them, and the evergreen blog: no campaign holds these."""
    created = world.start_ts - 400 * DAY
    for kind, (name, _stage) in C.GLOBAL_FORMS.items():
        form = new_asset(
            world, type=AssetType.FORM, name=name, created_ts=created, published_ts=created
        )
        world.forms[kind] = form.pk
    for path, name, weight, form_kind in C.SITE_PAGES:
        asset = new_asset(
            world,
            type=AssetType.WEBSITE_PAGE,
            name=name,
            url=C.SITE + path,
            created_ts=created,
            published_ts=created,
        )
        stage = C.GLOBAL_FORMS[form_kind][1] if form_kind else "lead"
        add_page(
            world,
            asset,
            "site",
            weight=weight,
            form_id=world.forms.get(form_kind or "contact"),
            form_stage=stage,
        )
    for n in range(world.scale.evergreen_blog_posts):
        published = (
            world.start_ts
            - 200 * DAY
            + int(n * (world.end_ts - world.start_ts) / max(1, world.scale.evergreen_blog_posts))
        )
        add_blog_post(world, campaign=None, published_ts=published)


def add_blog_post(world: World, *, campaign: CampaignInfo | None, published_ts: int) -> int:
    topic = world.rng.choice(C.TOPICS)
    template = world.rng.choice(C.BLOG_TEMPLATES)
    title = template.format(topic=topic, Topic=topic[:1].upper() + topic[1:])
    slug = f"{slugify(title)}-{world.next_id()}"
    asset = new_asset(
        world,
        type=AssetType.BLOG_POST,
        name=title,
        url=f"{C.SITE}/blog/{slug}",
        created_ts=published_ts - DAY,
        published_ts=published_ts,
    )
    return add_page(
        world,
        asset,
        "blog",
        weight=1.0,
        form_id=world.forms["newsletter"],
        form_stage="subscriber",
        campaign=campaign.index if campaign else None,
    )
