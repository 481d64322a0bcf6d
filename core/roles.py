"""The roles Prudence knows, as Django group names.

Groups and their permissions are created by a data migration in ``crm``. Code asks about
roles only through the helpers here, so the names live in one place.
"""

from django.utils.translation import gettext_lazy as _

RELATIONSHIP_MANAGER = "relationship_manager"
TEAM_LEAD = "team_lead"
REVIEWER = "reviewer"
COMPLIANCE = "compliance_officer"
ADMINISTRATOR = "administrator"

LABELS = {
    RELATIONSHIP_MANAGER: _("Relationship manager"),
    TEAM_LEAD: _("Team lead"),
    REVIEWER: _("Reviewer"),
    COMPLIANCE: _("Compliance officer / DPO"),
    ADMINISTRATOR: _("Administrator"),
}

ALL = tuple(LABELS)


def role_names(user) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_prudence_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._prudence_roles = cached
    return cached


def has_role(user, role: str) -> bool:
    return role in role_names(user)


# Roles that see every book or run the system must prove a second factor.
SECOND_FACTOR_ROLES = frozenset({COMPLIANCE, ADMINISTRATOR})


def needs_second_factor(user) -> bool:
    return bool(getattr(user, "is_staff", False) or role_names(user) & SECOND_FACTOR_ROLES)
