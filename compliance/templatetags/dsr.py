"""Template tags for data-subject requests in the console."""

from django import template

from compliance.requests.selectors import requests_due_for

register = template.Library()


@register.simple_tag
def requests_due(user) -> list:
    """The requests assigned to ``user`` that are due within a week or overdue."""
    return requests_due_for(user=user)
