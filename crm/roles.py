"""What each role may do, as Django permissions. The data migration applies this table;
change it here and add a migration that re-applies it."""

from core import roles

RELATIONSHIP_MANAGER_PERMISSIONS = [
    "contacts.view_contact",
    "contacts.add_contact",
    "contacts.change_contact",
    "contacts.view_contactpoint",
    "contacts.add_contactpoint",
    "contacts.change_contactpoint",
    "contacts.delete_contactpoint",
    "contacts.view_riskassessment",
    "contacts.add_riskassessment",
    "contacts.view_employment",
    "contacts.add_employment",
    "contacts.change_employment",
    "contacts.view_relationship",
    "contacts.add_relationship",
    "contacts.view_interaction",
    "contacts.add_interaction",
    "contacts.view_contacttag",
    "contacts.add_contacttag",
    "contacts.delete_contacttag",
    "contacts.view_tag",
    "contacts.view_organisation",
    "contacts.add_organisation",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.RELATIONSHIP_MANAGER: RELATIONSHIP_MANAGER_PERMISSIONS,
    roles.TEAM_LEAD: [
        *RELATIONSHIP_MANAGER_PERMISSIONS,
        "contacts.reassign_contact",
        "contacts.view_bookcover",
        "contacts.add_bookcover",
    ],
    roles.REVIEWER: ["contacts.view_tag"],
    roles.COMPLIANCE: [
        "contacts.view_contact",
        "contacts.view_all_contacts",
        "contacts.reveal_national_id",
        "contacts.view_contactpoint",
        "contacts.view_riskassessment",
        "contacts.view_employment",
        "contacts.view_relationship",
        "contacts.view_interaction",
        "contacts.view_contacttag",
        "contacts.view_tag",
        "contacts.view_organisation",
        "contacts.view_bookcover",
        "compliance.view_auditevent",
    ],
    # Runs the system and the vocabulary; sees no client data.
    roles.ADMINISTRATOR: [
        "contacts.view_tag",
        "contacts.add_tag",
        "contacts.change_tag",
        "contacts.view_organisation",
        "contacts.add_organisation",
        "contacts.change_organisation",
        "contacts.reassign_contact",
        "contacts.view_bookcover",
        "contacts.add_bookcover",
        "core.view_user",
        "core.add_user",
        "core.change_user",
        "core.view_team",
        "core.add_team",
        "core.change_team",
        "auth.view_group",
    ],
}
