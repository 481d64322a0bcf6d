from django import template
from django.http import QueryDict

from compliance import sensitive

register = template.Library()


@register.simple_tag
def sort_query(query: str, key: str, current: str) -> str:
    """The list's query string sorted by ``key``; clicking the sorted column reverses it."""
    params = QueryDict(query, mutable=True)
    params["sort"] = f"-{key}" if current == key else key
    return params.urlencode()


@register.simple_tag
def page_query(query: str, number: int) -> str:
    params = QueryDict(query, mutable=True)
    params["page"] = str(number)
    return params.urlencode()


@register.filter
def sensitive_labels(codes) -> str:
    """Special-category codes stored on a row, as words: "health, criminal records"."""
    return ", ".join(sensitive.labels(codes or []))
