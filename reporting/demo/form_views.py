"""Form views for the demo: the views of each form, planned from its submissions.

Every page of the demo site carries a form, so "a view per page view" would add a form view to
every page view (and double the interactions). Instead each form gets a submission rate between
10 % and 40 % (drawn once per form), and each batch of traffic gets, per form, about
submissions / rate views: one in each submitting session (the form was on the page that was
submitted), and the rest on page views of pages carrying that form in the same batch (visitors
who saw the form and did not fill it in). Planned with its own random generator, so the rest of
the demo stays exactly what the same seed made before form views existed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from reporting.demo.traffic import Buffers
from reporting.demo.world import World
from tracking.models import InteractionType
from tracking.services import InteractionInput, PageViewInput

RATE_RANGE = (0.1, 0.4)
# The submitting page view comes 30 to 150 seconds before the submission (traffic.py).
SEEN_BEFORE_SUBMITTING = timedelta(seconds=30)


class FormViewPlanner:
    def __init__(self, world: World, *, seed: int) -> None:
        self.rng = random.Random(f"form-views-{seed}")
        contact_form = world.forms.get("contact")
        self.form_on_page = {
            page.asset_id: page.form_id or contact_form
            for page in world.pages
            if page.form_id or contact_form
        }
        self.rates = {
            form_id: self.rng.uniform(*RATE_RANGE)
            for form_id in sorted({f for f in self.form_on_page.values() if f is not None})
        }

    def add_views(self, buffers: Buffers) -> None:
        """Append the form views of the buffered submissions to the buffered interactions."""
        submitted = [r for r in buffers.interactions if r.type == InteractionType.FORM_SUBMISSION]
        if not submitted:
            return
        seen = self._seen_forms(buffers.page_views)
        views: list[InteractionInput] = []
        by_form: dict[int, list[InteractionInput]] = defaultdict(list)
        for row in submitted:
            if row.asset_id is not None:
                by_form[row.asset_id].append(row)
        for form_id in sorted(by_form):
            rows = by_form[form_id]
            for row in rows:
                views.append(_view(form_id, row, row.occurred_at - SEEN_BEFORE_SUBMITTING))
            views += self._unconverted(form_id, len(rows), seen.get(form_id, []))
        buffers.interactions.extend(views)

    def _seen_forms(self, page_views: Iterable[PageViewInput]) -> dict[int, list[PageViewInput]]:
        seen: dict[int, list[PageViewInput]] = defaultdict(list)
        form_on_page = self.form_on_page
        for row in page_views:
            form_id = form_on_page.get(row.asset_id) if row.asset_id is not None else None
            if form_id is not None:
                seen[form_id].append(row)
        return seen

    def _unconverted(
        self, form_id: int, submissions: int, page_views: list[PageViewInput]
    ) -> list[InteractionInput]:
        """Views of the form by visitors who did not submit it (at most one per page view)."""
        rate = self.rates.get(form_id, sum(RATE_RANGE) / 2)
        wanted = min(round(submissions / rate) - submissions, len(page_views))
        if wanted <= 0:
            return []
        chosen = self.rng.sample(range(len(page_views)), wanted)
        return [_view(form_id, page_views[i], page_views[i].occurred_at) for i in sorted(chosen)]


def _view(
    form_id: int, seen_on: InteractionInput | PageViewInput, at: datetime
) -> InteractionInput:
    """A view of the form in the session (and by the visitor) of `seen_on`."""
    return InteractionInput(
        type=InteractionType.FORM_VIEW,
        occurred_at=at,
        contact_id=seen_on.contact_id,
        visitor_id=seen_on.visitor_id,
        asset_id=form_id,
        session_id=seen_on.session_id,
        source=seen_on.source,
    )
