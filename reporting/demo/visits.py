"""Phase B of the demo: anonymous visitors arrive, browse, and some become contacts.

Visitors are generated and written in chunks (memory stays bounded at every scale). Each chunk:
draw the visitors' session times and channels (numpy), build the sessions in time order
(`SessionBuilder`), create the contacts of the visitors who submitted a form (through
`crm.services.bulk_create_contacts`, with their lifecycle history), then write visitors,
sessions, page views and interactions through the tracking services' bulk paths (campaigns
resolved by the `CampaignResolver`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from crm.models import CreationChannel
from crm.services import NewContact, bulk_create_contacts
from reporting.demo.ledger import Ledger
from reporting.demo.people import ContactFacts, Progress, progress
from reporting.demo.traffic import (
    FIRST_VISIT_CHANNELS,
    RETURN_VISIT_CHANNELS,
    Buffers,
    Conversion,
    VisitorState,
)
from reporting.demo.world import DAY, World, dt
from tracking.services import (
    VisitorInput,
    bulk_create_visitors,
    bulk_record_interactions,
    bulk_record_page_views,
    insert_sessions,
)

# Visits per hour of the day (local time): office hours dominate.
HOURLY = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 4, 5, 5.2, 5, 4.5, 4.8, 5, 4.6, 4, 3.4, 3, 3, 2.8, 2.4,
     1.8, 1.3]
)  # fmt: skip
WEEKDAY = np.array([1.15, 1.15, 1.12, 1.1, 0.95, 0.6, 0.7])
RETURN_GAP_DAYS = 6.0
PAGES_P = 0.57  # pages per session: geometric, mean ~1.75
LAST_START_MARGIN = 3 * 3600  # sessions start early enough to end before "today"


def day_starts(world: World) -> np.ndarray:
    """Local midnight of every day of the period (DST-aware), as epoch seconds."""
    first = world.day_of(world.start_ts)
    return np.array(
        [world.local_midnight(first + timedelta(days=d)) for d in range(world.scale.days)],
        dtype=np.int64,
    )


def day_weights(world: World, starts: np.ndarray) -> np.ndarray:
    """Traffic grows over the period and dips at weekends."""
    days = len(starts)
    trend = np.linspace(0.7, 1.3, days)
    weekday = np.array([world.day_of(int(s) + 3600).weekday() for s in starts])
    weights = trend * WEEKDAY[weekday]
    return weights / weights.sum()


class VisitGenerator:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger, self.world = ledger, ledger.world
        self.np_rng = ledger.np_rng
        self.starts = day_starts(self.world)
        self.weights = day_weights(self.world, self.starts)
        self.hourly = HOURLY / HOURLY.sum()
        self.first_names = [c for c, _ in FIRST_VISIT_CHANNELS]
        self.first_p = np.array([w for _, w in FIRST_VISIT_CHANNELS])
        self.first_p = self.first_p / self.first_p.sum()
        self.return_names = [c for c, _ in RETURN_VISIT_CHANNELS]
        self.return_p = np.array([w for _, w in RETURN_VISIT_CHANNELS])
        self.return_p = self.return_p / self.return_p.sum()

    def run(self) -> None:
        for count, goal in self._plans():
            self.write(self.generate(count, goal))

    def _plans(self) -> Iterator[tuple[int, int]]:
        """(visitors, conversions) per chunk; conversions add up to exactly web_contacts."""
        scale = self.world.scale
        converted = 0
        for begin in range(0, scale.visitors, scale.visitor_chunk):
            count = min(scale.visitor_chunk, scale.visitors - begin)
            goal = round(scale.web_contacts * (begin + count) / scale.visitors) - converted
            converted += goal
            yield count, goal

    # --- drawing ---------------------------------------------------------------------------------
    def _session_times(self, count: int) -> list[list[int]]:
        rng = self.np_rng
        days = rng.choice(len(self.starts), size=count, p=self.weights)
        seconds = rng.choice(24, size=count, p=self.hourly) * 3600 + rng.integers(0, 3600, count)
        first = self.starts[days] + seconds
        extra = np.minimum(rng.geometric(0.62, size=count) - 1, 11)
        gaps = iter((1800 + rng.exponential(RETURN_GAP_DAYS * DAY, size=int(extra.sum()))).tolist())
        last_start = self.world.end_ts - LAST_START_MARGIN
        visits: list[list[int]] = []
        for v in range(count):
            times = [min(int(first[v]), last_start - 1)]
            for _ in range(int(extra[v])):
                t = times[-1] + int(next(gaps))
                if t < last_start:
                    times.append(t)
            visits.append(times)
        return visits

    def _converters(self, visits: Sequence[list[int]], goal: int) -> dict[int, int]:
        """visitor index → index of the session in which it converts (exactly `goal` of them;
        visitors who come back more often convert more)."""
        rng = self.np_rng
        if goal <= 0:
            return {}
        n = np.array([len(t) for t in visits], dtype=float)
        weights = n**0.7 * np.exp(0.8 * rng.standard_normal(len(visits)))
        keys = np.log(rng.random(len(visits))) / weights
        chosen = np.argpartition(-keys, goal - 1)[:goal]
        result = {}
        for v in sorted(chosen.tolist()):
            m = len(visits[v])
            result[v] = m - 1 if rng.random() < 0.5 else int(rng.integers(0, m))
        return result

    # --- one chunk -------------------------------------------------------------------------------
    def generate(self, count: int, goal: int) -> Chunk:
        """Everything random about a chunk (no writes): its sessions and the people who convert."""
        ledger, rng = self.ledger, self.np_rng
        builder = ledger.builder
        builder.buffers = buffers = Buffers()
        visits = self._session_times(count)
        converters = self._converters(visits, goal)
        total = sum(len(t) for t in visits)
        firsts = rng.choice(len(self.first_names), size=count, p=self.first_p).tolist()
        returns = rng.choice(len(self.return_names), size=total, p=self.return_p).tolist()
        pages = np.minimum(rng.geometric(PAGES_P, size=total), 10).tolist()
        visitor_ids = ledger.visitor_ids.take(count)
        session_ids = iter(ledger.session_ids.take(total))
        states: list[VisitorState] = []
        k = 0
        for v, times in enumerate(visits):
            state = VisitorState(first_seen=times[0])
            states.append(state)
            for j, start in enumerate(times):
                channel = self.first_names[firsts[v]] if j == 0 else self.return_names[returns[k]]
                builder.session(
                    sid=next(session_ids),
                    visitor_id=visitor_ids[v],
                    start=start,
                    channel=channel,
                    n_pages=int(pages[k]),
                    is_new=j == 0,
                    state=state,
                    converting=converters.get(v) == j,
                )
                k += 1
        visitors = [
            VisitorInput(
                cookie_id=ledger.cookie(),
                first_seen_at=dt(s.first_seen),
                identified_at=dt(s.contact_since) if s.contact_since is not None else None,
            )
            for s in states
        ]
        return Chunk(visitor_ids, visitors, buffers, self._people(buffers.conversions))

    def _people(self, conversions: list[Conversion]) -> list[Person]:
        """Who each converting visitor is: name, email, company and lifecycle path."""
        ledger = self.ledger
        people = []
        for conv in conversions:
            first, last, email, company = ledger.directory.person()
            plan = progress(
                ledger.rng, created_ts=conv.at, initial=conv.stage, end_ts=self.world.end_ts
            )
            row = NewContact(
                email=email,
                created_at=dt(conv.at),
                channel=CreationChannel.WEB_FORM,
                first_name=first,
                last_name=last,
                original_source=conv.source.source,
                original_source_detail_1=conv.source.detail_1,
                original_source_detail_2=conv.source.detail_2,
                first_touch_campaign_id=conv.first_campaign,
                last_touch_campaign_id=conv.last_campaign,
                stage_history=tuple((stage, dt(at)) for stage, at in plan.history),
            )
            people.append(Person(row, conv, company, plan))
        return people

    def write(self, chunk: Chunk) -> None:
        """Contacts first (sessions point at them), then visitors, sessions, page views and
        interactions."""
        ledger = self.ledger
        ids = bulk_create_contacts(
            workspace=self.world.workspace, rows=[p.contact for p in chunk.people]
        )
        for cid, person in zip(ids, chunk.people, strict=True):
            visitor_id = person.conversion.visitor_id
            ledger.visitor_contact[visitor_id] = cid
            ledger.contact_visitor[cid] = visitor_id
            ledger.facts.append(
                ContactFacts(
                    cid, person.conversion.at, person.company, visitor_id, person.plan, False
                )
            )
        known = ledger.visitor_contact
        write_visitors(
            ledger,
            ids=chunk.visitor_ids,
            rows=[
                row._replace(contact_id=known.get(vid))
                for vid, row in zip(chunk.visitor_ids, chunk.visitors, strict=True)
            ],
        )
        flush_traffic(ledger, chunk.buffers)


@dataclass
class Person:
    contact: NewContact
    conversion: Conversion
    company: int
    plan: Progress


@dataclass
class Chunk:
    visitor_ids: list[int]
    visitors: list[VisitorInput]
    buffers: Buffers
    people: list[Person]


def write_visitors(ledger: Ledger, *, ids: list[int], rows: list[VisitorInput]) -> None:
    if rows:
        bulk_create_visitors(workspace=ledger.world.workspace, rows=rows, ids=ids)


def flush_traffic(ledger: Ledger, buffers: Buffers | None = None) -> None:
    """Write buffered sessions, page views and interactions (the builder's, by default; contacts
    filled in for visitors identified meanwhile) with the form views of the buffered
    submissions, then empty the buffers."""
    b, ws = buffers or ledger.builder.buffers, ledger.world.workspace
    known = ledger.visitor_contact
    ledger.form_views.add_views(b)
    sessions = [
        s._replace(contact_id=known[s.visitor_id])
        if s.contact_id is None and s.visitor_id in known
        else s
        for s in b.sessions
    ]
    insert_sessions(workspace=ws, sessions=sessions, ids=b.session_ids)
    bulk_record_page_views(
        workspace=ws,
        resolver=ledger.resolver,
        bump_version=False,
        rows=(
            r._replace(contact_id=known[r.visitor_id])
            if r.contact_id is None and r.visitor_id in known
            else r
            for r in b.page_views
        ),
    )
    bulk_record_interactions(
        workspace=ws,
        resolver=ledger.resolver,
        bump_version=False,
        rows=(
            r._replace(contact_id=known[r.visitor_id])
            if r.contact_id is None and r.visitor_id is not None and r.visitor_id in known
            else r
            for r in b.interactions
        ),
    )
    b.clear()
