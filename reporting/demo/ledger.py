"""What the demo phases hand to each other: the contacts made so far and who is who."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from assets.selectors import CampaignResolver
from reporting.demo.form_views import FormViewPlanner
from reporting.demo.people import ContactFacts, Directory
from reporting.demo.traffic import SessionBuilder
from reporting.demo.world import World
from tracking.models import Session, Visitor
from tracking.services import IdAllocator

POOL = 5_000


@dataclass
class Ledger:
    world: World
    rng: random.Random
    np_rng: np.random.Generator
    resolver: CampaignResolver
    builder: SessionBuilder
    directory: Directory
    form_views: FormViewPlanner
    facts: list[ContactFacts] = field(default_factory=list)
    visitor_contact: dict[int, int] = field(default_factory=dict)
    contact_visitor: dict[int, int] = field(default_factory=dict)
    visitor_ids: IdAllocator = field(default_factory=lambda: IdAllocator(Visitor))
    session_ids: IdAllocator = field(default_factory=lambda: IdAllocator(Session))
    cookie_serial: int = 0
    _visitor_pool: list[int] = field(default_factory=list)
    _session_pool: list[int] = field(default_factory=list)

    def cookie(self) -> str:
        self.cookie_serial += 1
        return f"{self.rng.getrandbits(48):012x}{self.cookie_serial:07x}"

    def next_visitor_id(self) -> int:
        """One id at a time, taken from the database in blocks (one query per block)."""
        if not self._visitor_pool:
            self._visitor_pool = self.visitor_ids.take(POOL)[::-1]
        return self._visitor_pool.pop()

    def next_session_id(self) -> int:
        if not self._session_pool:
            self._session_pool = self.session_ids.take(POOL)[::-1]
        return self._session_pool.pop()

    def contact_of(self, visitor_id: int, contact_id: int | None) -> int | None:
        return contact_id if contact_id is not None else self.visitor_contact.get(visitor_id)
