from django import template
from django.http import QueryDict

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
