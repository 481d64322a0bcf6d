from contacts.models.books import BookCover
from contacts.models.contact import Contact, LifecycleStage, RiskLevel, may_read_restricted
from contacts.models.details import (
    Account,
    AccountKind,
    ContactPoint,
    ContactPointKind,
    ContactPointStatus,
    Employment,
    Interaction,
    InteractionChannel,
    Organisation,
    Relationship,
    RelationshipKind,
    RiskAssessment,
)
from contacts.models.tags import ContactTag, Tag

__all__ = [
    "Account",
    "AccountKind",
    "BookCover",
    "Contact",
    "ContactPoint",
    "ContactPointKind",
    "ContactPointStatus",
    "ContactTag",
    "Employment",
    "Interaction",
    "InteractionChannel",
    "LifecycleStage",
    "Organisation",
    "Relationship",
    "RelationshipKind",
    "RiskAssessment",
    "RiskLevel",
    "Tag",
    "may_read_restricted",
]
