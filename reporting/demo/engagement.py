"""Phase C of the demo: what happens to contacts after they exist.

Imported contacts (offline sources; trade-show booth lists), marketing email sends, deliveries,
opens and clicks (a click brings the contact to the site: an email-marketing session), event
attendance, workflow enrollments, static-list memberships, and the sales side (meetings, calls
connected and logged, sales email replies, sequences, conversations).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from crm.models import CreationChannel, LifecycleStage
from crm.services import NewContact, bulk_create_contacts
from reporting.demo import catalog as C
from reporting.demo.ledger import Ledger
from reporting.demo.people import ContactFacts, progress
from reporting.demo.traffic import VisitorState, email_landing
from reporting.demo.visits import flush_traffic, write_visitors
from reporting.demo.world import DAY, EmailInfo, dt
from tracking.models import InteractionType
from tracking.services import InteractionInput, VisitorInput, bulk_record_interactions

HOUR = 3600
FLUSH_AT = 100_000
T = InteractionType


class Engagement:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger, self.world = ledger, ledger.world
        self.rng, self.np_rng = ledger.rng, ledger.np_rng
        self.end = self.world.end_ts
        self.rows: list[InteractionInput] = []
        self.new_visitors: list[tuple[int, VisitorInput]] = []

    def run(self) -> None:
        self.import_contacts()
        self.emails()
        self.flush()
        self.events()
        self.workflows()
        self.nurture_lists()
        self.sales()
        self.flush()

    def add(self, type: str, at: int, contact_id: int, asset_id: int | None = None) -> None:
        if at < self.end:
            self.rows.append(InteractionInput(type, dt(at), contact_id, None, asset_id))
        if len(self.rows) >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        ledger = self.ledger
        if self.new_visitors:
            write_visitors(
                ledger,
                ids=[vid for vid, _ in self.new_visitors],
                rows=[row for _, row in self.new_visitors],
            )
            self.new_visitors = []
        flush_traffic(ledger)
        bulk_record_interactions(
            workspace=self.world.workspace,
            rows=self.rows,
            resolver=ledger.resolver,
            bump_version=False,
        )
        self.rows = []

    # --- imported contacts -----------------------------------------------------------------------
    def import_contacts(self) -> None:
        """Trade-show booth lists after each past roadshow, a CRM sync over the API, a few
        typed in by hand, and some CSV imports: all "offline sources", none with sessions."""
        world, rng, total = self.world, self.rng, self.world.scale.imported_contacts
        roadshows = [
            e
            for e in world.events
            if world.campaigns[e.campaign].kind == "roadshow" and e.event_ts + 3 * DAY < self.end
        ]
        plan: list[tuple[int, str, int | None]] = []  # (created, channel, booth list)
        booth = int(total * 0.35) if roadshows else 0
        for i in range(booth):
            event = roadshows[i % len(roadshows)]
            plan.append(
                (event.event_ts + 2 * DAY - 3 * HOUR + i, CreationChannel.IMPORT, event.list_id)
            )
        span = self.end - world.start_ts
        for _ in range(int(total * 0.4)):
            plan.append((world.start_ts + int(rng.random() * span), CreationChannel.API, None))
        for _ in range(int(total * 0.05)):
            plan.append((world.start_ts + int(rng.random() * span), CreationChannel.MANUAL, None))
        batches = [world.start_ts + int(rng.random() * (span - DAY)) for _ in range(4)]
        for i in range(total - len(plan)):
            plan.append((batches[i % 4] + i, CreationChannel.IMPORT, None))
        self._create_imported(plan)

    def _create_imported(self, plan: list[tuple[int, str, int | None]]) -> None:
        ledger, rng = self.ledger, self.rng
        rows, meta = [], []
        for created, channel, booth_list in plan:
            first, last, email, company = ledger.directory.person()
            initial = rng.choices(
                (LifecycleStage.LEAD, LifecycleStage.SUBSCRIBER, LifecycleStage.OTHER),
                weights=(0.6, 0.3, 0.1),
            )[0]
            path = progress(rng, created_ts=created, initial=initial, end_ts=self.end)
            rows.append(
                NewContact(
                    email=email,
                    created_at=dt(created),
                    channel=channel,
                    first_name=first,
                    last_name=last,
                    stage_history=tuple((s, dt(t)) for s, t in path.history),
                )
            )
            meta.append((created, company, path, booth_list))
        ids = bulk_create_contacts(workspace=self.world.workspace, rows=rows)
        for cid, (created, company, path, booth_list) in zip(ids, meta, strict=True):
            ledger.facts.append(ContactFacts(cid, created, company, None, path, imported=True))
            if booth_list is not None:
                self.add(T.LIST_MEMBERSHIP, created, cid, booth_list)

    # --- marketing email -------------------------------------------------------------------------
    def emails(self) -> None:
        facts = self.ledger.facts
        created = np.array([f.created_ts for f in facts], dtype=np.int64)
        order = np.argsort(created, kind="stable")
        self.sorted_created = created[order]
        self.order = order
        emails = sorted(self.world.emails, key=lambda e: (e.send_ts, e.asset_id))
        index = 0
        while index < len(emails):
            group = [emails[index]]
            while (
                group[0].audience_share < 1
                and index + len(group) < len(emails)
                and emails[index + len(group)].send_ts == group[0].send_ts
                and emails[index + len(group)].audience_share < 1
            ):
                group.append(emails[index + len(group)])
            self._send(group)
            index += len(group)

    def _send(self, variants: list[EmailInfo]) -> None:
        """One send (an A/B pair splits one audience between its variants)."""
        send = variants[0].send_ts
        eligible = int(np.searchsorted(self.sorted_created, send))
        audience = min(self.world.scale.email_audience, eligible)
        if audience <= 0:
            return
        chosen = self.np_rng.choice(self.order[:eligible], size=audience, replace=False)
        for part, email in zip(np.array_split(chosen, len(variants)), variants, strict=True):
            self._deliver(email, part)

    def _deliver(self, email: EmailInfo, recipients: np.ndarray) -> None:
        rng, n = self.np_rng, len(recipients)
        sent = email.send_ts + rng.integers(0, 600, n)
        delivered = rng.random(n) < 0.97
        delivered_at = sent + rng.integers(2, 60, n)
        opened = delivered & (rng.random(n) < 0.27)
        opened_at = delivered_at + rng.exponential(8 * HOUR, n).astype(np.int64) + 30
        clicked = opened & (rng.random(n) < 0.17)
        clicked_at = opened_at + rng.integers(5, 300, n)
        facts = self.ledger.facts
        for i, fact_index in enumerate(recipients.tolist()):
            cid = facts[fact_index].contact_id
            self.add(T.EMAIL_SENT, int(sent[i]), cid, email.asset_id)
            if delivered[i]:
                self.add(T.EMAIL_DELIVERED, int(delivered_at[i]), cid, email.asset_id)
            if opened[i]:
                self.add(T.EMAIL_OPEN, int(opened_at[i]), cid, email.asset_id)
            if clicked[i] and clicked_at[i] < self.end - 3 * HOUR:
                self.add(T.EMAIL_CLICK, int(clicked_at[i]), cid, email.asset_id)
                self._visit_from_email(email, facts[fact_index], int(clicked_at[i]) + 2)

    def _visit_from_email(self, email: EmailInfo, fact: ContactFacts, start: int) -> None:
        """The click opens the page in a browser: a session on the contact's visitor (a new,
        identified one for contacts we have never seen on the site)."""
        ledger = self.ledger
        cid = fact.contact_id
        visitor_id = ledger.contact_visitor.get(cid)
        is_new = visitor_id is None
        if visitor_id is None:
            visitor_id = ledger.next_visitor_id()
            ledger.contact_visitor[cid] = visitor_id
            ledger.visitor_contact[visitor_id] = cid
            self.new_visitors.append(
                (visitor_id, VisitorInput(ledger.cookie(), dt(start), cid, dt(start)))
            )
        campaign = self.world.campaigns[email.campaign]
        referrer = self.rng.choice(C.MAIL_REFERRERS) if self.rng.random() < 0.3 else ""
        ledger.builder.session(
            sid=ledger.next_session_id(),
            visitor_id=visitor_id,
            start=start,
            channel="email",
            n_pages=min(int(self.np_rng.geometric(0.55)), 6),
            is_new=is_new,
            state=VisitorState(first_seen=start, contact_since=fact.created_ts, contact_id=cid),
            forced=(
                email.page,
                email_landing(self.world, page=email.page, utm=campaign.utm, slug=email.slug),
                referrer,
            ),
        )

    # --- events, workflows, lists ----------------------------------------------------------------
    def _submissions(self) -> dict[int, list[tuple[int, int]]]:
        """form id → [(contact id, time)] of every form submission so far."""
        by_form: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for form_id, visitor_id, contact_id, at in self.ledger.builder.form_submissions:
            cid = self.ledger.contact_of(visitor_id, contact_id)
            if cid is not None:
                by_form[form_id].append((cid, at))
        return by_form

    def events(self) -> None:
        by_form = self._submissions()
        rng = self.rng
        for event in self.world.events:
            if event.event_ts >= self.end - HOUR:
                continue
            registered = {
                cid
                for form in event.form_ids
                for cid, at in by_form.get(form, [])
                if at < event.event_ts
            }
            attendees = {cid for cid in sorted(registered) if rng.random() < 0.45}
            eligible = int(np.searchsorted(self.sorted_created, event.event_ts))
            invited = min(eligible, self.world.scale.email_audience // 6)
            if invited:
                for i in self.np_rng.choice(self.order[:eligible], size=invited, replace=False):
                    if rng.random() < 0.3:
                        attendees.add(self.ledger.facts[int(i)].contact_id)
            for cid in sorted(attendees):
                self.add(
                    T.EVENT_ATTENDED, event.event_ts + rng.randint(0, 900), cid, event.asset_id
                )
                kind = self.world.campaigns[event.campaign].kind
                if event.list_id is not None and kind == "webinar":
                    self.add(T.LIST_MEMBERSHIP, event.event_ts + DAY, cid, event.list_id)

    def workflows(self) -> None:
        triggers: dict[int, list[int]] = defaultdict(list)
        for workflow_id, forms in self.world.workflows.items():
            for form_id in forms:
                triggers[form_id].append(workflow_id)
        for form_id, submissions in self._submissions().items():
            for workflow_id in triggers.get(form_id, []):
                for cid, at in submissions:
                    self.add(T.WORKFLOW_ENROLLMENT, at + 60, cid, workflow_id)

    def nurture_lists(self) -> None:
        facts = self.ledger.facts
        for list_id in self.world.lists.get("nurture", []):
            opened = self.world.asset_created.get(list_id, self.world.start_ts)
            size = max(1, len(facts) // 25)
            for i in self.np_rng.choice(len(facts), size=min(size, len(facts)), replace=False):
                fact = facts[int(i)]
                at = max(opened, fact.created_ts) + self.rng.randint(HOUR, 5 * DAY)
                self.add(T.LIST_MEMBERSHIP, at, fact.contact_id, list_id)

    # --- sales -----------------------------------------------------------------------------------
    def sales(self) -> None:
        """Sales touches carry no marketing asset, so no campaign: meetings, calls, replies."""
        rng = self.rng
        for fact in self.ledger.facts:
            p, cid = fact.progress, fact.contact_id
            if p.mql_ts is not None:
                if rng.random() < 0.3:
                    self.add(T.SEQUENCE_ACTION, p.mql_ts + rng.randint(HOUR, 2 * DAY), cid)
                if rng.random() < 0.4:
                    self.add(T.SALES_EMAIL_REPLY, p.mql_ts + rng.randint(DAY, 4 * DAY), cid)
            if p.sql_ts is not None:
                booked = max(p.mql_ts or fact.created_ts, p.sql_ts - rng.randint(0, DAY))
                self.add(T.MEETING_BOOKED, booked, cid)
                self.add(T.CALL_CONNECTED, p.sql_ts + rng.randint(HOUR, 3 * DAY), cid)
            if p.opp_ts is not None and rng.random() < 0.5:
                self.add(
                    T.CALL_LOGGED, max(p.sql_ts or p.opp_ts, p.opp_ts - rng.randint(HOUR, DAY)), cid
                )
            if not fact.imported and rng.random() < 0.04:
                self.add(T.CONVERSATION, fact.created_ts + rng.randint(HOUR, 3 * DAY), cid)
