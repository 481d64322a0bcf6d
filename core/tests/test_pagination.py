import pytest

from contacts.models import Contact
from contacts.tests import factories
from core.pagination import CappedPaginator, paginate

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(rm_user):
    for n in range(23):
        factories.make_contact(owner=rm_user, given_name="A", family_name=f"Name{n:02d}")
    return Contact.objects.order_by("display_name", "pk")


def names(page):
    return [c.family_name for c in page.object_list]


def test_pages_match_djangos_paginator_below_the_cap(book):
    page = paginate(book, page=2, per_page=10)
    assert page.paginator.count == 23
    assert page.paginator.num_pages == 3
    assert not page.paginator.is_capped
    assert names(page) == [f"Name{n:02d}" for n in range(10, 20)]
    assert names(paginate(book, page=3, per_page=10)) == ["Name20", "Name21", "Name22"]


@pytest.mark.parametrize("asked", [99, "x", None, -4])
def test_a_page_past_the_end_or_invalid_shows_a_real_page(book, asked):
    page = paginate(book, page=asked, per_page=10)
    expected_last = asked == 99
    assert page.number == (3 if expected_last else 1)
    assert len(page.object_list) == (3 if expected_last else 10)


def test_the_count_stops_at_the_cap_and_the_next_page_stays_reachable(book):
    paginator = CappedPaginator(book, 5, page_number=1, cap=5)
    # The cap always reaches ten pages past the one asked for.
    assert paginator.cap == 55
    small = CappedPaginator(book, 1, page_number=1, cap=3)
    assert small.cap == 11
    assert small.count == 12  # cap + 1: "more than 11"
    assert small.is_capped
    assert small.shown_count == 11
    assert small.page(1).has_next()


def test_an_empty_book_has_one_empty_page(rm_user):
    page = paginate(Contact.objects.none(), page=1)
    assert page.paginator.count == 0
    assert list(page.object_list) == []
