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
    "contacts.export_contact",
    "contacts.view_account",
    "contacts.add_account",
    # An RM checks a client's ID at the branch; each reveal needs a reason and is audited.
    "contacts.reveal_national_id",
    # Records consents, withdrawals and "stop all marketing" on the contact page.
    "compliance.add_consentevent",
    # Takes a data-subject request on the client's behalf; sees those of their book.
    "compliance.view_datasubjectrequest",
    "compliance.add_datasubjectrequest",
    # The data-quality dashboard and issues of their book; their own review tasks.
    "dataquality.view_qualityissue",
    "dataquality.view_reviewtask",
    "dataquality.change_reviewtask",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.RELATIONSHIP_MANAGER: RELATIONSHIP_MANAGER_PERMISSIONS,
    roles.TEAM_LEAD: [
        *RELATIONSHIP_MANAGER_PERMISSIONS,
        "contacts.reassign_contact",
        "contacts.view_bookcover",
        "contacts.add_bookcover",
    ],
    # Reviews colleagues' entries (four eyes): the queue and each change's diff, whatever
    # the book, and nothing else of it.
    roles.REVIEWER: ["contacts.view_tag", "contacts.review_pendingchange"],
    roles.COMPLIANCE: [
        "contacts.view_contact",
        "contacts.view_all_contacts",
        "contacts.reveal_national_id",
        "contacts.export_contact",
        "contacts.view_account",
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
        "compliance.view_trainingcourse",
        "compliance.add_trainingcourse",
        "compliance.change_trainingcourse",
        "compliance.view_trainingrecord",
        "compliance.add_trainingrecord",
        "compliance.view_accessreview",
        "compliance.add_accessreview",
        "compliance.add_consentevent",
        "compliance.view_consentevent",
        "compliance.view_purpose",
        "compliance.add_purpose",
        "compliance.change_purpose",
        "compliance.view_privacynotice",
        "compliance.add_privacynotice",
        # Erasure, legal holds, restriction and the disclosure register.
        "compliance.view_erasurerecord",
        "compliance.add_erasurerecord",
        "compliance.view_legalhold",
        "compliance.add_legalhold",
        "compliance.change_legalhold",
        "compliance.view_contactrestriction",
        "compliance.add_contactrestriction",
        "compliance.change_contactrestriction",
        "compliance.view_disclosure",
        "compliance.add_disclosure",
        "compliance.view_retentionpolicy",
        "compliance.add_retentionpolicy",
        "compliance.change_retentionpolicy",
        "core.view_jobrun",
        "compliance.view_datasubjectrequest",
        "compliance.add_datasubjectrequest",
        "compliance.change_datasubjectrequest",
        "compliance.view_requestdeadlinerule",
        "compliance.change_requestdeadlinerule",
        "compliance.view_accessexport",
        "compliance.download_accessexport",
        "compliance.view_incident",
        "compliance.add_incident",
        "compliance.change_incident",
        "compliance.view_breachclockrule",
        "compliance.add_breachclockrule",
        "compliance.change_breachclockrule",
        # Data stewardship: the whole book's data quality, bounce and deceased lists, and
        # the review of name + date-of-birth matches against a deceased list.
        "dataquality.view_qualityissue",
        "dataquality.view_listimport",
        "dataquality.add_listimport",
        "dataquality.view_deceasedcandidate",
        "dataquality.change_deceasedcandidate",
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
        # The entry rules: required fields and what needs review.
        "contacts.view_requiredfieldrule",
        "contacts.add_requiredfieldrule",
        "contacts.change_requiredfieldrule",
        "contacts.view_reviewrule",
        "contacts.add_reviewrule",
        "contacts.change_reviewrule",
        "core.view_user",
        "core.add_user",
        "core.change_user",
        "core.view_team",
        "core.add_team",
        "core.change_team",
        "auth.view_group",
        "core.view_jobrun",
    ],
}


def apply_role_permissions(apps, schema_editor) -> None:
    """Data migration step: make each role group hold exactly the permissions above.

    Permissions are normally created after all migrations; create them now. A permission a
    later migration introduces is skipped here and granted when that migration re-applies
    this table.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)
