"""Helpers for data-quality tests: contacts in a given state, made through the services."""

from datetime import date

from contacts.services import details
from contacts.tests import factories


def contact_with_email(
    *, owner, value: str = "", verified_on: date | None = None, approved: bool = True, **values
):
    """A new contact entered with an email address. The address is part of the entry a
    reviewer approves whole (as in the book); with ``approved=False`` the entry still
    waits, so a test can add more to it before ``factories.approve_pending``."""
    # Where we got the contact is recorded, so a prospect meets the default required-field
    # rules and a test sees only the issue it is about.
    values.setdefault("acquisition_source", "referral")
    contact = factories.make_contact(owner=owner, approved=False, **values)
    details.contact_point_add(
        actor=owner,
        contact=contact,
        kind="email",
        value=value or f"c{contact.pk}@example.com",
        verified_on=verified_on,
    )
    if approved:
        factories.approve_pending(contact)
    contact.refresh_from_db()
    return contact
