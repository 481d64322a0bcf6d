"""Helpers for data-quality tests: contacts in a given state, made through the services."""

from datetime import date

from contacts.services import details
from contacts.tests import factories


def contact_with_email(*, owner, value: str = "", verified_on: date | None = None, **values):
    contact = factories.make_contact(owner=owner, **values)
    details.contact_point_add(
        actor=owner,
        contact=contact,
        kind="email",
        value=value or f"c{contact.pk}@example.com",
        verified_on=verified_on,
    )
    contact.refresh_from_db()
    return contact
