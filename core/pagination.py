"""Pagination that stays fast at a million rows.

An exact ``COUNT(*)`` over a large filtered book costs more than the page itself. We count
at most ``cap`` rows, where the cap always reaches a few pages past the one asked for. When
the count hits the cap the page shows "more than N" and the next page stays reachable; below
the cap the count is exact.

The count and the page come from one walk of the list's order. One query reads the primary
keys from the page's first row up to the cap, in order (``values_list("pk")[start:cap + 1]``:
with an index that ends in the ordering's columns PostgreSQL reads the index alone); the
count is ``start`` plus how many came back, and the page's rows are the first ``per_page`` of
them. A second query loads those rows by primary key, under the same filters and order. So a
deep page pays for its OFFSET once, not once for the count and again for the rows, and never
reads full rows it skips; a search pays for sorting its matches once. A page past the end
shows the last page.
"""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

DEFAULT_CAP = 10_000
PAGES_AHEAD = 10


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, page_number: int = 1, cap: int = DEFAULT_CAP):
        super().__init__(object_list, per_page)
        self.cap = max(cap, (page_number + PAGES_AHEAD) * per_page)
        self.page_number = page_number
        # (index of the first row, primary keys from there up to the cap), once read.
        self._window: tuple[int, list] | None = None

    def _keys(self, start: int, stop: int) -> list:
        return list(self.object_list.values_list("pk", flat=True)[start:stop])

    @cached_property
    def count(self) -> int:
        start = (self.page_number - 1) * self.per_page
        keys = self._keys(start, self.cap + 1)
        if keys or start == 0:
            self._window = (start, keys)
            return start + len(keys)
        # A page past the end (an old bookmark); ``get_page`` then shows the last page. A list
        # of up to DEFAULT_CAP rows is read whole, which holds that last page too; a longer
        # one is counted on its own, without its order.
        keys = self._keys(0, DEFAULT_CAP + 1)
        if len(keys) <= DEFAULT_CAP:
            self._window = (0, keys)
            return len(keys)
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def shown_count(self) -> int:
        return min(self.count, self.cap)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        end = min(start + self.per_page, self.count)
        if end + self.orphans >= self.count:
            end = self.count
        # The window runs from its first row to the end of the list or past the cap, so it
        # holds every page from there on.
        if self._window is not None and self._window[0] <= start:
            offset = start - self._window[0]
            keys = self._window[1][offset : offset + end - start]
        else:
            keys = self._keys(start, end)
        rows = list(self.object_list.filter(pk__in=keys)) if keys else []
        return self._get_page(rows, number, self)


def paginate(queryset, *, page: str | int | None, per_page: int = 25) -> Page:
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    paginator = CappedPaginator(queryset, per_page, page_number=number)
    return paginator.get_page(number)
