"""The demo generator's sizes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    days: int
    campaigns: int
    visitors: int
    web_contacts: int  # contacts created by form submissions
    imported_contacts: int  # import / API / manual ("offline sources")
    evergreen_blog_posts: int
    email_audience: int  # recipients per marketing email send (at most)
    visitor_chunk: int  # visitors generated and written per step (bounds memory)


SCALES: dict[str, Scale] = {
    "small": Scale(
        name="small",
        days=180,
        campaigns=12,
        visitors=6_000,
        web_contacts=850,
        imported_contacts=150,
        evergreen_blog_posts=10,
        email_audience=400,
        visitor_chunk=6_000,
    ),
    "medium": Scale(
        name="medium",
        days=365,
        campaigns=60,
        visitors=125_000,
        web_contacts=17_000,
        imported_contacts=3_000,
        evergreen_blog_posts=40,
        email_audience=800,
        visitor_chunk=40_000,
    ),
    "large": Scale(
        name="large",
        days=365,
        campaigns=200,
        visitors=620_000,
        web_contacts=85_000,
        imported_contacts=15_000,
        evergreen_blog_posts=80,
        email_audience=900,
        visitor_chunk=60_000,
    ),
}
