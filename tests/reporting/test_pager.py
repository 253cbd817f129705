"""The Previous / Page N of M / Next links of the drill-down lists, the exports list and the
tracking URLs (templates/_pager.html)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def _links(number: int, page_query: str) -> str:
    page = Paginator(list(range(5)), 2).get_page(number)
    return render_to_string("_pager.html", {"page": page, "page_query": page_query})


def test_the_links_keep_the_lists_query_and_change_only_the_page() -> None:
    html = _links(2, "range=all&touch=first")
    assert 'href="?range=all&amp;touch=first&amp;page=1">Previous<' in html
    assert 'href="?range=all&amp;touch=first&amp;page=3">Next<' in html
    assert "Page 2 of 3" in html


def test_a_list_without_a_query_links_to_the_page_alone() -> None:
    html = _links(1, "")
    assert 'href="?page=2">Next<' in html and "Previous" not in html


def test_a_single_page_has_no_links() -> None:
    page = Paginator([1], 2).get_page(1)
    assert "pagination" not in render_to_string("_pager.html", {"page": page, "page_query": ""})
