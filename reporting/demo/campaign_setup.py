"""Campaigns and the assets they carry (phase A, with `world` and `ad_setup`).

Each campaign gets utm values, goals, spend items, an owner, a status and dates, and — by its
kind — blog posts, landing pages with forms, CTAs, media, marketing emails (one A/B pair),
social posts (some unpublished), events, lists, workflows and tracking URLs. Associations go
through `assets.services.associate_asset` (its rules apply): most before launch, some after it,
a few assets moved to a later campaign, workflows shared by two campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.text import slugify

from assets.models import Asset, AssetType
from assets.services import associate_asset
from campaigns.models import (
    Campaign,
    CampaignGoal,
    CampaignStatus,
    CampaignUtm,
    GoalMetric,
    SpendItem,
    TrackingUrl,
)
from reporting.demo import catalog as C
from reporting.demo.world import (
    DAY,
    CampaignInfo,
    EmailInfo,
    EntryPoint,
    EventInfo,
    World,
    add_blog_post,
    add_page,
    dt,
    new_asset,
)

# --- Campaigns -----------------------------------------------------------------------------------
KIND_DURATION = {
    "launch": (45, 120),
    "webinar": (21, 45),
    "ebook": (60, 150),
    "roadshow": (30, 60),
    "promo": (20, 45),
    "nurture": (90, 200),
    "brand": (60, 180),
}


def _campaign_name(world: World, kind: str, start: date, taken: set[str]) -> str:
    topic = world.rng.choice(C.TOPICS)
    base = C.KIND_NAMES[kind].format(
        topic=topic,
        Topic=topic[:1].upper() + topic[1:],
        feature=world.rng.choice(C.FEATURES),
        city=world.rng.choice(C.CITIES),
    )
    name = f"{base} · {start:%b %Y}"
    n = 2
    while name.lower() in taken:
        name, n = f"{base} · {start:%b %Y} ({n})", n + 1
    taken.add(name.lower())
    return name


def _campaign_status(world: World, start: date, end: date | None) -> str:
    today = world.day_of(world.end_ts)
    if start > today:
        return CampaignStatus.PLANNED
    if end is not None and end < today:
        return CampaignStatus.COMPLETED
    roll = world.rng.random()
    if roll < 0.1:
        return CampaignStatus.PAUSED
    return CampaignStatus.ACTIVE if roll < 0.7 else CampaignStatus.IN_PROGRESS


def create_campaign(world: World, index: int, taken: set[str]) -> CampaignInfo:
    rng = world.rng
    days = world.scale.days
    if index < len(C.CAMPAIGN_KINDS):
        # One campaign of every kind, running in the past: every asset type has data.
        kind = C.CAMPAIGN_KINDS[index]
        offset = rng.uniform(-10, max(0, days - 70))
    else:
        kind = rng.choices(C.CAMPAIGN_KINDS, weights=C.KIND_WEIGHTS)[0]
        offset = rng.uniform(-20, days + 12)
    start = world.day_of(world.start_ts) + timedelta(days=int(offset))
    low, high = KIND_DURATION[kind]
    ongoing = kind in {"ebook", "nurture", "brand"} and rng.random() < 0.25
    end = None if ongoing else start + timedelta(days=rng.randint(low, high))
    name = _campaign_name(world, kind, start, taken)
    owner = world.users["admin"] if rng.random() < 0.4 else world.users["marketer"]
    campaign = Campaign.objects.create(
        workspace=world.workspace,
        name=name,
        start_date=start,
        end_date=end,
        owner=owner,
        status=_campaign_status(world, start, end),
        notes=f"{kind.title()} campaign run by the {rng.choice(C.TEAMS)} team.",
    )
    utm = slugify(name.replace("·", " "))[:190]
    CampaignUtm.objects.create(workspace=world.workspace, campaign=campaign, value=utm)
    start_ts = world.local_midnight(start)
    end_ts = min(world.end_ts, world.local_midnight(end) + DAY) if end else world.end_ts
    created_ts = min(start_ts - rng.randint(5, 30) * DAY, world.end_ts - rng.randint(1, 5) * DAY)
    info = CampaignInfo(
        id=campaign.pk,
        index=index,
        name=name,
        kind=kind,
        utm=utm,
        start_ts=start_ts,
        end_ts=max(end_ts, start_ts),
        created_ts=created_ts,
        weight=rng.lognormvariate(0, 0.7),
    )
    _goals_and_spend(world, campaign, info)
    return info


def _goals_and_spend(world: World, campaign: Campaign, info: CampaignInfo) -> None:
    rng, ws = world.rng, world.workspace
    scale = world.scale.visitors / max(1, world.scale.campaigns)
    goals = {
        GoalMetric.SESSIONS: round(scale * info.weight * rng.uniform(0.3, 0.6), -1),
        GoalMetric.NEW_CONTACTS: round(scale * info.weight * rng.uniform(0.02, 0.05)),
        GoalMetric.INFLUENCED_CONTACTS: round(scale * info.weight * rng.uniform(0.04, 0.1)),
    }
    if info.kind in {"launch", "promo", "webinar"}:
        goals[GoalMetric.REVENUE] = round(rng.uniform(20, 150)) * 1000
    for metric, target in goals.items():
        if rng.random() < 0.8:
            CampaignGoal.objects.create(
                workspace=ws, campaign=campaign, metric=metric, target=Decimal(max(1, int(target)))
            )
    last_day = min(info.end_ts, world.end_ts) - DAY
    for _ in range(rng.randint(1, 3)):
        spent = info.start_ts + int(rng.random() * max(DAY, last_day - info.start_ts))
        currency = C.OTHER_CURRENCY if rng.random() < 0.3 else C.COMPANY_CURRENCY
        amount = rng.uniform(800, 9000) * (7.45 if currency == C.OTHER_CURRENCY else 1)
        SpendItem.objects.create(
            workspace=ws,
            campaign=campaign,
            name=rng.choice(C.SPEND_ITEMS),
            amount=Decimal(str(round(amount, 2))),
            currency=currency,
            spent_on=world.day_of(min(spent, world.end_ts - 1)),
        )


# --- The assets a campaign carries ---------------------------------------------------------------
@dataclass
class Held:
    """An asset to associate with a campaign, and when."""

    asset: Asset
    campaign: CampaignInfo
    at_ts: int


class CampaignAssets:
    """Creates one campaign's assets and records them in the world (associated later)."""

    def __init__(self, world: World, info: CampaignInfo, held: list[Held]) -> None:
        self.world, self.info, self.held, self.rng = world, info, held, world.rng

    def hold(self, asset: Asset, *, late: bool | None = None) -> Asset:
        """Associate before launch, or (a quarter of the time) some days after it."""
        info, world = self.info, self.world
        late = self.rng.random() < 0.25 if late is None else late
        at = info.created_ts + self.rng.randint(0, 2 * DAY)
        if late and info.start_ts + 2 * DAY < world.end_ts:
            at = min(info.start_ts + self.rng.randint(2 * DAY, 15 * DAY), world.end_ts - DAY)
        at = min(at, world.end_ts - 3600)
        self.held.append(Held(asset, info, at))
        world.asset_created[asset.pk] = min(world.asset_created.get(asset.pk, at), at)
        return asset

    def build(self) -> None:
        kind, rng = self.info.kind, self.rng
        counts = {
            "launch": (2, 1, 2, 6),
            "webinar": (1, 1, 2, 4),
            "ebook": (3, 1, 1, 5),
            "roadshow": (0, 1, 1, 3),
            "promo": (1, 1, 2, 3),
            "nurture": (1, 0, 3, 0),
            "brand": (2, 0, 0, 8),
        }[kind]
        blogs, landings, emails, socials = counts
        for _ in range(max(0, blogs + rng.randint(-1, 1))):
            self.blog_post()
        for _ in range(landings + (1 if kind in {"launch", "promo"} and rng.random() < 0.3 else 0)):
            self.landing_page()
        if kind in {"ebook", "launch", "webinar"} and self.info.landing_pages:
            self.cta()
        if kind in {"launch", "webinar"}:
            self.media()
        self.emails(emails)
        self.social_posts(socials)

    def _publish_ts(self, *, outside: bool = False) -> int:
        info = self.info
        if outside:
            return info.start_ts - self.rng.randint(20, 60) * DAY
        return info.start_ts + self.rng.randint(-2 * DAY, 5 * DAY)

    def blog_post(self) -> None:
        outside = self.rng.random() < 0.12 or not self.world.flags.get("outside")
        self.world.flags["outside"] = True
        published = self._publish_ts(outside=outside)
        index = add_blog_post(self.world, campaign=self.info, published_ts=published)
        self.info.blog_posts.append(index)
        self.hold(self._asset_of(index))

    def _asset_of(self, page_index: int) -> Asset:
        return Asset.objects.get(pk=self.world.pages[page_index].asset_id)

    def landing_page(self) -> None:
        world, info = self.world, self.info
        n = world.next_id()
        title = f"{info.name.split(' · ')[0]} - sign up"
        published = info.start_ts - self.rng.randint(1, 4) * DAY
        form = new_asset(
            world,
            type=AssetType.FORM,
            name=f"{info.name.split(' · ')[0]} form",
            created_ts=published - DAY,
            published_ts=published,
        )
        page = new_asset(
            world,
            type=AssetType.LANDING_PAGE,
            name=title,
            url=f"{C.SITE}/lp/{slugify(info.utm)[:80]}-{n}",
            created_ts=published - DAY,
            published_ts=published,
        )
        index = add_page(
            world, page, "landing", form_id=form.pk, form_stage="lead", campaign=info.index
        )
        info.landing_pages.append(index)
        info.forms.append(form.pk)
        self.hold(form)
        self.hold(page)

    def cta(self) -> None:
        world, info = self.world, self.info
        target = info.landing_pages[0]
        cta = new_asset(
            world,
            type=AssetType.CTA,
            name=f"CTA: {info.name.split(' · ')[0]}",
            created_ts=info.created_ts,
            published_ts=info.start_ts,
        )
        self.hold(cta)
        evergreen = [
            i for i, p in enumerate(world.pages) if p.kind == "blog" and p.campaign is None
        ]
        hosts = info.blog_posts + self.rng.sample(evergreen, min(2, len(evergreen)))
        for index in hosts:
            world.pages[index].cta = (cta.pk, target)

    def media(self) -> None:
        world, info = self.world, self.info
        video = new_asset(
            world,
            type=AssetType.MEDIA,
            name=f"Video: {info.name.split(' · ')[0]}",
            created_ts=info.created_ts,
            published_ts=info.start_ts,
        )
        self.hold(video)
        for index in info.landing_pages[:1] + info.blog_posts[:1]:
            world.pages[index].media_id = video.pk

    def emails(self, count: int) -> None:
        world, info, rng = self.world, self.info, self.rng
        if not count:
            return
        targets = info.landing_pages or info.blog_posts or [0]
        span = max(DAY, min(info.end_ts, world.end_ts) - info.start_ts)
        ab_done = any(e.audience_share < 1 for e in world.emails)
        for n in range(count):
            send = info.start_ts + int(span * (n + 0.3) / count) + rng.randint(0, DAY // 2)
            if rng.random() < 0.08:
                send = info.end_ts + rng.randint(3, 10) * DAY  # a follow-up after the end
            # Sent at nine in the morning, local time.
            send = world.local_midnight(world.day_of(send)) + 9 * 3600 + rng.randint(0, 59) * 60
            if send >= world.end_ts - DAY:
                continue
            base = f"{info.name.split(' · ')[0]} - email {n + 1}"
            ab = not ab_done
            variants = ("A", "B") if ab else ("",)
            winner = rng.choice(variants)
            group = f"ab-{world.next_id()}" if ab else ""
            for variant in variants:
                ext = f"email-{world.next_id()}"
                email = new_asset(
                    world,
                    type=AssetType.MARKETING_EMAIL,
                    name=f"{base} ({variant})" if variant else base,
                    created_ts=send - 3 * DAY,
                    published_ts=send,
                    external_id=ext,
                    ab_group=group,
                    ab_is_winner=(variant == winner) if variant else None,
                )
                self.hold(email, late=send > info.start_ts + 3 * DAY and rng.random() < 0.2)
                world.emails.append(
                    EmailInfo(
                        asset_id=email.pk,
                        campaign=info.index,
                        send_ts=send,
                        page=rng.choice(targets),
                        slug=ext,
                        audience_share=0.5 if variant else 1.0,
                    )
                )
            ab_done = ab_done or ab

    def social_posts(self, count: int) -> None:
        world, info, rng = self.world, self.info, self.rng
        targets = info.landing_pages or info.blog_posts
        if not targets:
            return
        span = max(DAY, info.end_ts - info.start_ts)
        for _ in range(count):
            network, referrer = rng.choice(C.SOCIAL_POST_NETWORKS)
            published: int | None = info.start_ts + int(rng.random() * span)
            drafted = rng.random() < 0.15 or not world.flags.get("draft")
            world.flags["draft"] = True
            if drafted or (published or 0) >= world.end_ts:
                published = None  # drafted or scheduled, not published
            ext = f"social-{world.next_id()}"
            post = new_asset(
                world,
                type=AssetType.SOCIAL_POST,
                name=f"{network.title()}: {info.name.split(' · ')[0]}",
                created_ts=info.created_ts,
                published_ts=published,
                external_id=ext,
            )
            self.hold(post)
            if published is None:
                continue
            page = rng.choice(targets)
            world.entries.append(
                EntryPoint(
                    category="social_utm",
                    campaign=info.index,
                    page=page,
                    params=(
                        f"utm_source={network}&utm_medium=social&utm_campaign={info.utm}"
                        f"&utm_content={ext}"
                    ),
                    referrer=referrer if rng.random() < 0.85 else "",
                    from_ts=published,
                    to_ts=min(world.end_ts, published + 21 * DAY),
                    weight=info.weight * 0.6,
                    network=network,
                    touch_asset_id=post.pk,
                    touch_type="social_click",
                )
            )


def campaign_extras(world: World, info: CampaignInfo, builder: CampaignAssets) -> None:
    """Workflows, lists, events and tracking URLs, by campaign kind."""
    rng, kind = world.rng, info.kind
    if kind in {"webinar", "roadshow"}:
        span = max(DAY, info.end_ts - info.start_ts)
        event_ts = info.start_ts + int(span * 0.66)
        event_ts = world.local_midnight(world.day_of(event_ts)) + 13 * 3600
        event = new_asset(
            world,
            type=AssetType.MARKETING_EVENT,
            name=("Webinar: " if kind == "webinar" else "Event: ") + info.name.split(" · ")[0],
            created_ts=info.created_ts,
            published_ts=event_ts,
        )
        builder.hold(event)
        lst = new_asset(
            world,
            type=AssetType.STATIC_LIST,
            name=("Attendees: " if kind == "webinar" else "Booth leads: ")
            + info.name.split(" · ")[0],
            created_ts=info.created_ts,
            published_ts=info.created_ts,
        )
        builder.hold(lst)
        world.events.append(EventInfo(event.pk, info.index, event_ts, list(info.forms), lst.pk))
        world.lists.setdefault("booth" if kind == "roadshow" else "attendees", []).append(lst.pk)
    if kind in {"nurture", "webinar"} or (kind == "ebook" and rng.random() < 0.5):
        workflow = new_asset(
            world,
            type=AssetType.WORKFLOW,
            name=f"Workflow: {info.name.split(' · ')[0]} follow-up",
            created_ts=info.created_ts,
            published_ts=info.created_ts,
        )
        builder.hold(workflow, late=False)
        world.workflows[workflow.pk] = list(info.forms) or [world.forms["newsletter"]]
    if kind == "nurture":
        lst = new_asset(
            world,
            type=AssetType.STATIC_LIST,
            name=f"Nurture pool: {info.name.split(' · ')[0]}",
            created_ts=info.created_ts,
            published_ts=info.created_ts,
        )
        builder.hold(lst)
        world.lists.setdefault("nurture", []).append(lst.pk)
    link = {
        "roadshow": 2,
        "promo": 0,
        "launch": 1 if rng.random() < 0.5 else None,
        "brand": 3,
        "ebook": 4 if rng.random() < 0.4 else None,
    }.get(kind)
    if link is not None and (info.landing_pages or info.blog_posts):
        _tracking_url(world, info, builder, *C.TRACKING_LINKS[link])


def _tracking_url(
    world: World, info: CampaignInfo, builder: CampaignAssets, name: str, source: str, medium: str
) -> None:
    page_index = (info.landing_pages or info.blog_posts)[0]
    asset = new_asset(
        world,
        type=AssetType.TRACKING_URL,
        name=f"{name}: {info.name.split(' · ')[0]}",
        created_ts=info.created_ts,
        published_ts=info.created_ts,
    )
    link = TrackingUrl(
        workspace=world.workspace,
        campaign_id=info.id,
        asset=asset,
        name=asset.name[:200],
        destination_url=world.pages[page_index].url,
        utm_source=source,
        utm_medium=medium,
        utm_campaign=info.utm,
        utm_content=slugify(name)[:200],
        created_by=world.users["marketer"],
    )
    link.full_clean()
    link.save()
    builder.hold(asset, late=False)
    world.entries.append(
        EntryPoint(
            category="tracking",
            campaign=info.index,
            page=page_index,
            params=link.built_url.split("?", 1)[1],
            referrer="",
            from_ts=max(info.start_ts, info.created_ts),
            to_ts=min(world.end_ts, info.end_ts + 14 * DAY),
            weight=info.weight * 0.5,
        )
    )


# --- Associations --------------------------------------------------------------------------------
def associate_all(world: World, held: list[Held]) -> None:
    """Associate through the service (its rules apply), then move a few assets between
    campaigns and put the shared workflows into a second campaign."""
    for item in sorted(held, key=lambda h: h.at_ts):
        associate_asset(
            asset=item.asset,
            campaign=Campaign.objects.get(pk=item.campaign.id),
            at=dt(item.at_ts),
            by=world.users["marketer"],
        )
    _reassociate(world, held)
    _share_workflows(world)


def _reassociate(world: World, held: list[Held]) -> None:
    """Move blog posts from an earlier campaign to a later one (its old campaign keeps what it
    earned; the new one counts from the move on)."""
    rng = world.rng
    wanted = 1 + len(world.campaigns) // 50
    posts = [h for h in held if h.asset.type == AssetType.BLOG_POST]
    rng.shuffle(posts)
    moved = 0
    for item in posts:
        later = [
            c
            for c in world.campaigns
            if c.start_ts > item.at_ts + 10 * DAY
            and c.start_ts + DAY < world.end_ts - 20 * DAY
            and c.index != item.campaign.index
        ]
        if not later:
            continue
        target = rng.choice(later)
        associate_asset(
            asset=item.asset,
            campaign=Campaign.objects.get(pk=target.id),
            at=dt(target.start_ts + DAY),
            by=world.users["admin"],
        )
        moved += 1
        if moved >= wanted:
            return


def _share_workflows(world: World) -> None:
    """Half the workflows also serve a second campaign (workflows may belong to several)."""
    rng = world.rng
    for workflow_id in list(world.workflows)[::2]:
        others = [c for c in world.campaigns if c.kind in {"webinar", "ebook", "launch"}]
        if not others:
            return
        target = rng.choice(others)
        asset = Asset.objects.get(pk=workflow_id)
        if asset.associations.filter(campaign_id=target.id, dissociated_at__isnull=True).exists():
            continue
        at = max(target.created_ts, world.asset_created.get(workflow_id, target.created_ts))
        associate_asset(asset=asset, campaign=Campaign.objects.get(pk=target.id), at=dt(at))
        world.workflows[workflow_id] = world.workflows[workflow_id] + target.forms


def backdate(world: World) -> None:
    """created_at is auto_now_add: set the times the story needs (campaigns, assets, links)."""
    campaigns = Campaign.objects.for_workspace(world.workspace).in_bulk(
        [c.id for c in world.campaigns]
    )
    for info in world.campaigns:
        campaigns[info.id].created_at = dt(info.created_ts)
    Campaign.objects.bulk_update(list(campaigns.values()), ["created_at"], batch_size=500)
    assets = Asset.objects.for_workspace(world.workspace).in_bulk(list(world.asset_created))
    for asset_id, created in world.asset_created.items():
        assets[asset_id].created_at = dt(created)
    Asset.objects.bulk_update(list(assets.values()), ["created_at"], batch_size=500)
    links = list(TrackingUrl.objects.for_workspace(world.workspace).select_related("asset"))
    for link in links:
        link.created_at = link.asset.created_at if link.asset else link.created_at
    TrackingUrl.objects.bulk_update(links, ["created_at"], batch_size=500)
