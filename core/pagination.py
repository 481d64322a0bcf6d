"""Pagination that stays fast at a million rows.

An exact ``COUNT(*)`` over a large filtered book costs more than the page itself. We count
at most ``cap`` rows (a ``COUNT`` over a ``LIMIT`` subquery, which stops early), where the
cap always reaches a few pages past the one asked for. When the count hits the cap the page
shows "more than N" and the next page stays reachable; below the cap the count is exact.
"""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

DEFAULT_CAP = 10_000
PAGES_AHEAD = 10


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, page_number: int = 1, cap: int = DEFAULT_CAP):
        super().__init__(object_list, per_page)
        self.cap = max(cap, (page_number + PAGES_AHEAD) * per_page)

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def shown_count(self) -> int:
        return min(self.count, self.cap)


def paginate(queryset, *, page: str | int | None, per_page: int = 25) -> Page:
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    paginator = CappedPaginator(queryset, per_page, page_number=number)
    return paginator.get_page(number)
