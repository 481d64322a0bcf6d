"""The permission matrix: every view in the URL configuration, for every kind of user.

In the spirit of NetBox's view tests (``netbox/utilities/testing/views.py``), but driven by
the URL configuration itself: every pattern, admin included, is turned into a concrete URL
and requested. A view that nobody described here fails these tests instead of going
unchecked: its URL arguments, its required permission and its public status must all be
written down below.

anonymous -> log-in page; no permission -> 403; outside the book -> 404 (and audited);
allowed -> 200. A refused POST never changes anything.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from compliance.consent.services import consent_grant, privacy_notice_publish
from compliance.erasure.disclosure import disclosure_record
from compliance.erasure.restriction import restriction_apply
from compliance.erasure.services import erasure_execute, legal_hold_place
from compliance.incidents.services import incident_open
from compliance.models import (
    AccessExport,
    AccessReview,
    AuditAction,
    AuditEvent,
    BreachClockRule,
    ConsentEvent,
    ConsentState,
    ContactMarketingRefusal,
    ContactRestriction,
    DataSubjectRequest,
    DisclosedContact,
    Disclosure,
    ErasureRecord,
    Incident,
    IncidentContact,
    IncidentDecision,
    IncidentNotice,
    LegalHold,
    PrivacyNotice,
    Purpose,
    RequestDeadlineRule,
    RequestNote,
    RetentionPolicy,
    SuppressedIdentifier,
    TrainingCourse,
    TrainingRecord,
)
from compliance.requests.access import access_export_start
from compliance.services import access_review_certify
from compliance.tests.factories import give_training, verified_request
from contacts.forms import ContactForm
from contacts.models import (
    Account,
    BookCover,
    Contact,
    ContactPoint,
    ContactTag,
    Employment,
    Interaction,
    Organisation,
    PendingChange,
    Relationship,
    RequiredFieldRule,
    ReviewBatch,
    ReviewBatchRow,
    ReviewRule,
    RiskAssessment,
    Tag,
)
from contacts.services import details
from contacts.services.contacts import contact_create
from contacts.services.review import BatchRowInput, review_batch_create
from contacts.services.tags import tags_assign
from contacts.tests import factories
from contacts.views.detail import SECTIONS
from core import roles
from core.models import JobRun, Team, User
from core.testing import login_verified
from dataquality.models import DeceasedCandidate, ListImport, ReviewTask

# The views anyone may reach without logging in. Keep it short: each entry is a door.
PUBLIC_URL_NAMES = frozenset({"login", "health", "set_language_public", "admin:login", "favicon"})

# What each signed-in view demands. ``None``: any signed-in user. Every non-admin view must
# be listed (``test_every_application_view_has_a_declared_permission``).
REQUIRED_PERMISSION = {
    "home": None,
    "set_language": None,
    "logout": None,
    "two_factor": None,
    "two_factor_qr": None,
    "contacts:list": "contacts.view_contact",
    "contacts:bulk": "contacts.view_contact",
    "contacts:export": "contacts.export_contact",
    "contacts:create": "contacts.add_contact",
    "contacts:handover": "contacts.reassign_contact",
    "contacts:cover": "contacts.add_bookcover",
    "contacts:detail": "contacts.view_contact",
    "contacts:edit": "contacts.change_contact",
    "contacts:household": "contacts.view_contact",
    "contacts:reveal": "contacts.reveal_national_id",
    "contacts:account_reveal": "contacts.reveal_national_id",
    "contacts:consent_record": "compliance.add_consentevent",
    "contacts:consent_withdraw": "compliance.add_consentevent",
    "contacts:marketing_stop_all": "compliance.add_consentevent",
    "contacts:section_add": lambda kwargs: SECTIONS[kwargs["section"]][2],
    "contacts:tag_remove": "contacts.delete_contacttag",
    "contacts:point_remove": "contacts.delete_contactpoint",
    "contacts:employment_end": "contacts.change_employment",
    "contacts:request_list": "compliance.view_datasubjectrequest",
    "contacts:request_create": "compliance.add_datasubjectrequest",
    # Restricting is for the contact's RM or compliance; the view checks that too.
    "contacts:notes_restrict": "contacts.view_contact",
    "contacts:interaction_restrict": "contacts.view_contact",
    "contacts:interaction_edit": "contacts.change_contact",
    "contacts:review_queue": "contacts.review_pendingchange",
    "contacts:review_change": "contacts.review_pendingchange",
    "contacts:review_approve": "contacts.review_pendingchange",
    "contacts:review_reject": "contacts.review_pendingchange",
    "contacts:review_batch": "contacts.review_pendingchange",
    "contacts:review_batch_approve": "contacts.review_pendingchange",
    "contacts:review_batch_reject": "contacts.review_pendingchange",
    "contacts:review_mine": "contacts.add_contact",
    "contacts:import": "contacts.add_contact",
    "dataquality:dashboard": "dataquality.view_qualityissue",
    "dataquality:tasks": "dataquality.view_reviewtask",
    "dataquality:task_complete": "dataquality.change_reviewtask",
    "dataquality:contact": "dataquality.view_qualityissue",
    "dataquality:imports": "dataquality.add_listimport",
    "dataquality:candidates": "dataquality.change_deceasedcandidate",
    "dataquality:candidate_decide": "dataquality.change_deceasedcandidate",
}

# Views that only accept POST: a GET answers 405 whoever asks, before anything is looked up.
POST_ONLY = frozenset(
    {
        "set_language",
        "logout",
        "contacts:bulk",
        "contacts:reveal",
        "contacts:account_reveal",
        "contacts:consent_record",
        "contacts:consent_withdraw",
        "contacts:marketing_stop_all",
        "contacts:tag_remove",
        "contacts:point_remove",
        "contacts:employment_end",
        "contacts:notes_restrict",
        "contacts:interaction_restrict",
        "contacts:review_approve",
        "contacts:review_reject",
        "contacts:review_batch_approve",
        "contacts:review_batch_reject",
        "dataquality:task_complete",
        "dataquality:candidate_decide",
    }
)

# What an allowed GET answers when it is not 200.
ALLOWED_GET_STATUS = {
    "two_factor_qr": 404,  # no authenticator enrolment under way
    "contacts:export": 302,  # no privacy training on record: back to the list, told why
}

MISSING_PK = 987_654_321

# Views outside the contacts app whose ``pk`` is a contact's.
CONTACT_ROUTES_ELSEWHERE = frozenset({"dataquality:contact"})


# --- the URL configuration, walked ---------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str
    callback: object = field(compare=False)
    params: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.name or f"<unnamed {self.route}>"

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def is_public(self) -> bool:
        return self.name in PUBLIC_URL_NAMES

    @property
    def carries_contact(self) -> bool:
        if self.name in CONTACT_ROUTES_ELSEWHERE:
            return True
        return bool(self.name) and self.name.startswith("contacts:") and "pk" in self.params

    @property
    def model_admin(self):
        return getattr(self.callback, "model_admin", None)


def _walk(resolver, prefix: str = "", namespace: str = "", params: tuple = ()):
    for pattern in resolver.url_patterns:
        own = tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner_namespace = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner_namespace, params + own)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield Route(name, prefix + str(pattern.pattern), pattern.callback, params + own)


ROUTES = list(_walk(get_resolver()))
PUBLIC_ROUTES = [r for r in ROUTES if r.is_public]
ADMIN_ROUTES = [r for r in ROUTES if r.is_admin and not r.is_public]
APP_ROUTES = [r for r in ROUTES if not r.is_admin and not r.is_public]
CONTACT_ROUTES = [r for r in ROUTES if r.carries_contact]
PROTECTED_ROUTES = [r for r in ROUTES if not r.is_public]


def _ids(routes):
    return [r.key for r in routes]


def sign_in(client, user: User):
    """Log in; roles that need the second factor have passed it."""
    if roles.needs_second_factor(user):
        return login_verified(client, user)
    client.force_login(user)
    return client


# --- the world the requests run against ----------------------------------------------------------


@dataclass
class Furnished:
    """A contact with one of each thing its URLs can point at."""

    contact: Contact
    point: ContactPoint
    employment: Employment
    tag: Tag
    account: Account
    interaction: Interaction


@dataclass
class World:
    users: dict[str, User]
    furnished: dict[int, Furnished]
    contacts: dict[str, Contact]
    tag: Tag
    organisation: Organisation
    team: Team
    admin_objects: dict[type, object]
    pending_change: PendingChange
    batch: ReviewBatch

    def __getitem__(self, role: str) -> User:
        return self.users[role]


def _furnish(contact: Contact, *, actor: User, organisation: Organisation, tag: Tag) -> Furnished:
    point = details.contact_point_add(
        actor=actor, contact=contact, kind="email", value=f"c{contact.pk}@example.com"
    )
    employment = details.employment_add(
        actor=actor, contact=contact, organisation=organisation, title="CFO"
    )
    tags_assign(actor=actor, contacts=[contact], tags=[tag])
    interaction = details.interaction_add(
        actor=actor, contact=contact, channel="call", summary="First call"
    )
    account = details.account_add(actor=actor, contact=contact, kind="deposit", number="00112233")
    contact.refresh_from_db()
    return Furnished(
        contact=contact,
        point=point,
        employment=employment,
        tag=tag,
        account=account,
        interaction=interaction,
    )


@pytest.fixture
def world(rm_user, other_rm, compliance_user, admin_user_role) -> World:
    lead = factories.team_lead(username="lead_erin")
    team = factories.TeamFactory(name="North", lead=lead)
    User.objects.filter(pk=lead.pk).update(team=team)
    users = {
        "anonymous": None,
        "relationship_manager": rm_user,
        "other_rm": other_rm,
        "team_lead": lead,
        "compliance_officer": compliance_user,
        "administrator": admin_user_role,
        "reviewer": factories.UserFactory(username="reviewer_frank", roles=[roles.REVIEWER]),
        "staff_rm": factories.rm(username="staff_rm_gina", is_staff=True),
        "staff_compliance": factories.compliance_officer(username="dpo_hana"),
        "nonstaff_compliance": factories.UserFactory(
            username="dpo_ivy", roles=[roles.COMPLIANCE], is_staff=False
        ),
    }
    organisation = factories.OrganisationFactory()
    tag = Tag.objects.get(code="segment-hnw")
    contacts = {
        "relationship_manager": factories.make_contact(owner=rm_user, family_name="Lin"),
        "other_rm": factories.make_contact(owner=other_rm, family_name="Wang"),
        "team_lead": factories.make_contact(owner=lead, family_name="Huang"),
    }
    furnished = {
        c.pk: _furnish(c, actor=c.owner, organisation=organisation, tag=tag)
        for c in contacts.values()
    }
    contacts = {role: furnished[c.pk].contact for role, c in contacts.items()}
    # Whose contact each role's allowed requests use: their own, or any book for compliance.
    for role in ("compliance_officer", "administrator", "reviewer", "staff_compliance"):
        contacts[role] = contacts["other_rm"]
    contacts["staff_rm"] = contacts["relationship_manager"]
    subject_request = verified_request(
        contact=contacts["other_rm"], actor=users["staff_compliance"], request_type="access"
    )
    now = timezone.now()
    dpo = users["staff_compliance"]
    erased = factories.make_contact(owner=other_rm, family_name="Erased")
    trace = {"user_agent": "pytest", "ip_address": "10.0.0.1", "username": "someone"}
    trace |= {"http_accept": "*/*", "path_info": "/login/"}
    admin_objects = {
        Group: Group.objects.get(name=roles.RELATIONSHIP_MANAGER),
        User: other_rm,
        Team: team,
        Tag: tag,
        Organisation: organisation,
        AccessAttempt: AccessAttempt.objects.create(
            **trace, attempt_time=now, get_data="", post_data="", failures_since_start=1
        ),
        AccessLog: AccessLog.objects.create(**trace, attempt_time=now),
        AccessFailureLog: AccessFailureLog.objects.create(**trace, attempt_time=now),
        TOTPDevice: TOTPDevice.objects.create(user=other_rm, name="phone", confirmed=True),
        Contact: contacts["other_rm"],
        AuditEvent: AuditEvent.objects.filter(contact_id=contacts["other_rm"].pk).first(),
        TrainingRecord: give_training(other_rm),
        TrainingCourse: TrainingCourse.objects.get(),
        AccessReview: access_review_certify(
            actor=users["staff_compliance"],
            period_start=factories.today() - timedelta(days=90),
            period_end=factories.today(),
            rows=[],
        ),
        Purpose: Purpose.objects.get(code="marketing-email"),
        JobRun: JobRun.objects.create(
            job_name="compliance.expire_consents",
            status=JobRun.Status.SUCCEEDED,
            triggered_by=JobRun.Trigger.BEAT,
            started_at=now,
            finished_at=now,
            counts={"seen": 1, "changed": 1, "skipped": 0, "errors": 0},
        ),
        DataSubjectRequest: subject_request,
        RequestDeadlineRule: RequestDeadlineRule.objects.get(
            jurisdiction="pdpa", request_type="access"
        ),
        # Never built here (its task runs after a commit the test never makes): pending.
        AccessExport: access_export_start(actor=users["staff_compliance"], request=subject_request),
        RequiredFieldRule: RequiredFieldRule.objects.first(),
        ReviewRule: ReviewRule.objects.first(),
        PrivacyNotice: privacy_notice_publish(
            actor=users["staff_compliance"],
            notice=PrivacyNotice(
                version="1",
                language="zh-hant",
                jurisdiction="TW",
                effective_from=factories.today() - timedelta(days=30),
                url="https://bank.example/privacy",
            ),
        ),
        LegalHold: legal_hold_place(
            actor=dpo, contact=contacts["other_rm"], kind="dispute", reason="Case 17"
        ),
        ContactRestriction: restriction_apply(
            actor=dpo, contact=contacts["other_rm"], reason="Accuracy contested"
        ),
        Disclosure: disclosure_record(
            actor=dpo,
            recipient="Financial Supervisory Commission",
            what="KYC file",
            legal_basis="legal_obligation",
            contact_ids=[contacts["other_rm"].pk],
        ),
        ErasureRecord: erasure_execute(contact=erased, by=dpo, reason="DSR 1"),
        RetentionPolicy: RetentionPolicy.objects.get(category="former_client"),
    }
    admin_objects[ConsentEvent] = consent_grant(
        actor=other_rm,
        contact=contacts["other_rm"],
        purpose=Purpose.objects.get(code="marketing-email"),
        channel="email",
        source="web_form",
        notice=admin_objects[PrivacyNotice],
    )
    admin_objects[Incident] = incident_open(
        actor=users["staff_compliance"],
        title="Lost laptop",
        description="A laptop was lost.",
        occurred_at=now - timedelta(days=2),
        discovered_at=now - timedelta(days=1),
        severity="high",
    )
    admin_objects[BreachClockRule] = BreachClockRule.objects.get(code="gdpr-authority")
    # An entry by another RM waiting for review, and an import: the reviewer's pages.
    newcomer = contact_create(actor=other_rm, family_name="Newcomer", lifecycle_stage="prospect")
    batch = review_batch_create(
        actor=other_rm,
        owner=other_rm,
        source_name="seminar.csv",
        rows=[BatchRowInput(number=1, values={"family_name": "Ko", "lifecycle_stage": "prospect"})],
    )
    # Data quality: an open review task of the RM's, a name + birth-date match for review.
    admin_objects[ReviewTask] = ReviewTask.objects.create(
        contact=contacts["relationship_manager"],
        assignee=rm_user,
        rule="deceased",
        due_on=factories.today(),
    )
    admin_objects[DeceasedCandidate] = DeceasedCandidate.objects.create(
        contact=contacts["other_rm"],
        list_import=ListImport.objects.create(
            kind="deceased", imported_by=compliance_user, encoding="utf-8"
        ),
    )
    return World(
        pending_change=PendingChange.objects.pending().get(contact=newcomer),
        batch=batch,
        users=users,
        furnished=furnished,
        contacts=contacts,
        tag=tag,
        organisation=organisation,
        team=team,
        admin_objects=admin_objects,
    )


# --- concrete URLs -------------------------------------------------------------------------------

# Arguments of the URLs that carry a contact, given that contact's furnishings.
CONTACT_URL_ARGUMENTS = {
    "contacts:detail": lambda f: [{}],
    "contacts:edit": lambda f: [{}],
    "contacts:household": lambda f: [{}],
    "contacts:reveal": lambda f: [{}],
    "contacts:section_add": lambda f: [{"section": section} for section in SECTIONS],
    "contacts:tag_remove": lambda f: [{"tag_pk": f.tag.pk}],
    "contacts:point_remove": lambda f: [{"point_pk": f.point.pk}],
    "contacts:employment_end": lambda f: [{"employment_pk": f.employment.pk}],
    "contacts:account_reveal": lambda f: [{"account_pk": f.account.pk}],
    "contacts:consent_record": lambda f: [{}],
    "contacts:consent_withdraw": lambda f: [{}],
    "contacts:marketing_stop_all": lambda f: [{}],
    "contacts:request_create": lambda f: [{}],
    "contacts:notes_restrict": lambda f: [{}],
    "contacts:interaction_restrict": lambda f: [{"interaction_pk": f.interaction.pk}],
    "contacts:interaction_edit": lambda f: [{"interaction_pk": f.interaction.pk}],
    "dataquality:contact": lambda f: [{}],
}

# Arguments of the other URLs with parameters, by name (or by pattern when unnamed).
# Admin model pages (``<path:object_id>``) use the world's object of that model instead.
OTHER_URL_ARGUMENTS = {
    "admin:view_on_site": lambda w: [
        {"content_type_id": ContentType.objects.get_for_model(Tag).pk, "object_id": w.tag.pk}
    ],
    "admin:auth_user_password_change": lambda w: [{"id": w.users["other_rm"].pk}],
    "admin:app_list": lambda w: [
        {"app_label": label} for label in sorted({m._meta.app_label for m in admin.site._registry})
    ],
    "<unnamed admin/(?P<url>.*)$>": lambda w: [{"url": "no-such-page/"}],
    "admin:otp_totp_totpdevice_config": lambda w: [{"pk": w.admin_objects[TOTPDevice].pk}],
    "admin:otp_totp_totpdevice_qrcode": lambda w: [{"pk": w.admin_objects[TOTPDevice].pk}],
    "admin:contacts_contact_erasure": lambda w: [{"object_id": w.admin_objects[Contact].pk}],
    **{
        f"admin:compliance_incident_{step}": lambda w: [{"pk": w.admin_objects[Incident].pk}]
        for step in ("seen_by", "contacts", "decide", "notice")
    },
    "contacts:review_change": lambda w: [{"change_pk": w.pending_change.pk}],
    "contacts:review_approve": lambda w: [{"change_pk": w.pending_change.pk}],
    "contacts:review_reject": lambda w: [{"change_pk": w.pending_change.pk}],
    "contacts:review_batch": lambda w: [{"batch_pk": w.batch.pk}],
    "contacts:review_batch_approve": lambda w: [{"batch_pk": w.batch.pk}],
    "contacts:review_batch_reject": lambda w: [{"batch_pk": w.batch.pk}],
    "dataquality:task_complete": lambda w: [{"pk": w.admin_objects[ReviewTask].pk}],
    "dataquality:candidate_decide": lambda w: [{"pk": w.admin_objects[DeceasedCandidate].pk}],
}


def _fill(route: str, kwargs: dict) -> str:
    """Build the path of an unnamed pattern from its route or regex."""
    text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m[1]]), route)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m[1]]), text)
    return "/" + text.replace("^", "").replace("$", "")


def url_kwargs(route: Route, world: World, contact: Contact) -> list[dict]:
    """Every set of arguments to request ``route`` with. Fails loudly for an unknown view."""
    if not route.params:
        return [{}]
    if route.carries_contact:
        if route.name not in CONTACT_URL_ARGUMENTS:
            raise LookupError(f"{route.key}: add its arguments to CONTACT_URL_ARGUMENTS")
        furnished = world.furnished[contact.pk]
        return [{"pk": contact.pk, **kw} for kw in CONTACT_URL_ARGUMENTS[route.name](furnished)]
    if route.key in OTHER_URL_ARGUMENTS:
        return OTHER_URL_ARGUMENTS[route.key](world)
    if route.model_admin is not None and route.params == ("object_id",):
        model = route.model_admin.model
        if model not in world.admin_objects:
            raise LookupError(f"{route.key}: add a {model.__name__} to the world's admin_objects")
        return [{"object_id": world.admin_objects[model].pk}]
    raise LookupError(f"{route.key}: no arguments known for {route.params}; describe this view")


def url_for(route: Route, kwargs: dict) -> str:
    url = reverse(route.name, kwargs=kwargs) if route.name else _fill(route.route, kwargs)
    assert resolve(urlsplit(url).path).func is route.callback, f"{url} is not {route.key}"
    return url


def urls(route: Route, world: World, contact: Contact) -> list[tuple[str, dict]]:
    return [(url_for(route, kw), kw) for kw in url_kwargs(route, world, contact)]


def contact_form_data(contact: Contact, **overrides) -> dict:
    """What the edit form would post for ``contact``, with ``overrides``."""
    form = ContactForm(instance=contact)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else str(value)
    return data | overrides


def post_data(route: Route, kwargs: dict, world: World, contact: Contact) -> dict:
    """A valid submission for the view: were a check missing, it would change something."""
    today = factories.today()
    rm, other = world.users["relationship_manager"], world.users["other_rm"]
    sections = {
        "points": {"kind": "email", "value": "intruder@example.com"},
        "risk": {
            "level": "aggressive",
            "assessed_on": today.isoformat(),
            "valid_until": (today + timedelta(days=365)).isoformat(),
        },
        "employment": {"organisation": world.organisation.pk, "title": "Chairman"},
        "tags": {"tag": Tag.objects.get(code="segment-uhnw").pk},
        "relationships": {
            "kind": "spouse",
            "to_contact": world.contacts["relationship_manager"].pk,
        },
        "timeline": {"channel": "call", "summary": "Should never be saved"},
        "accounts": {"kind": "deposit", "number": "99887766"},
    }
    data = {
        "contacts:edit": lambda: contact_form_data(contact, family_name="Overwritten"),
        "contacts:create": lambda: {
            "family_name": "Intruder",
            "lifecycle_stage": "prospect",
            "country_of_residence": "TW",
            "preferred_language": "en",
        },
        "contacts:section_add": lambda: sections[kwargs["section"]],
        "contacts:employment_end": lambda: {"ended_on": (today - timedelta(days=1)).isoformat()},
        "contacts:bulk": lambda: {
            "action": "assign_tag",
            "tag": Tag.objects.get(code="segment-uhnw").pk,
            "contact_ids": [contact.pk],
        },
        "contacts:handover": lambda: {"owner": other.pk, "new_owner": rm.pk, "reason": "Leaving"},
        "contacts:cover": lambda: {
            "owner": other.pk,
            "covered_by": rm.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=7)).isoformat(),
            "reason": "Holiday",
        },
        "set_language": lambda: {"language": "zh-hant", "next": "/"},
        "contacts:reveal": lambda: {"reason": "Identity check at the branch counter"},
        "contacts:account_reveal": lambda: {"reason": "Client asked to confirm the account"},
        "contacts:consent_record": lambda: {
            "purpose": Purpose.objects.get(code="marketing-email").pk,
            "channel": "email",
            "lawful_basis": "consent",
            "source": "web_form",
            "evidence_reference": "Form 7",
            "notice": world.admin_objects[PrivacyNotice].pk,
        },
        "contacts:consent_withdraw": lambda: {
            "purpose": Purpose.objects.get(code="marketing-email").pk,
            "channel": "email",
            "source": "web_form",
        },
        "contacts:marketing_stop_all": lambda: {"source": "branch"},
        "contacts:request_create": lambda: {
            "request_type": "erasure",
            "channel": "branch",
            "description": "Should never be saved",
        },
        "contacts:notes_restrict": lambda: {"restricted": "1"},
        "contacts:interaction_restrict": lambda: {"restricted": "1"},
        "contacts:interaction_edit": lambda: {"summary": "Overwritten"},
        "contacts:review_approve": lambda: {"seen_version": world.pending_change.contact.version},
        "contacts:review_reject": lambda: {"reason": "Not a real person"},
        "contacts:review_batch_reject": lambda: {"reason": "Wrong list"},
        "dataquality:candidate_decide": lambda: {"decision": "confirm"},
    }
    return data[route.name]() if route.name in data else {}


SNAPSHOT_MODELS = [
    RetentionPolicy,
    ErasureRecord,
    LegalHold,
    ContactRestriction,
    Disclosure,
    DisclosedContact,
    SuppressedIdentifier,
    DataSubjectRequest,
    RequestNote,
    RequestDeadlineRule,
    AccessExport,
    Incident,
    IncidentContact,
    IncidentDecision,
    IncidentNotice,
    BreachClockRule,
    PendingChange,
    ReviewBatch,
    ReviewBatchRow,
    RequiredFieldRule,
    ReviewRule,
    ReviewTask,
    DeceasedCandidate,
    ListImport,
    ConsentEvent,
    ConsentState,
    ContactMarketingRefusal,
    Purpose,
    PrivacyNotice,
    Contact,
    Account,
    ContactPoint,
    ContactTag,
    Employment,
    Interaction,
    Relationship,
    RiskAssessment,
    BookCover,
    Tag,
    Organisation,
    Team,
    User,
    Group,
    Group.permissions.through,
    User.groups.through,
]


def snapshot() -> dict:
    """Every row a view could change (sessions, log-in attempts and the audit log aside)."""
    return {
        model._meta.label: [
            {k: v for k, v in row.items() if k != "last_login"}
            for row in model.objects.order_by("pk").values()
        ]
        for model in SNAPSHOT_MODELS
    }


def _login_paths(route: Route) -> set[str]:
    paths = {reverse(settings.LOGIN_URL)}
    if route.is_admin:
        paths.add(reverse("admin:login"))
    return paths


def _required_permission(route: Route, kwargs: dict) -> str | None:
    required = REQUIRED_PERMISSION[route.name]
    return required(kwargs) if callable(required) else required


# --- what is public ------------------------------------------------------------------------------


def test_log_in_is_required_by_default():
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE


def test_the_public_list_is_exactly_the_views_marked_login_not_required():
    marked = {r.key for r in ROUTES if getattr(r.callback, "login_required", True) is False}
    assert marked == PUBLIC_URL_NAMES
    assert {r.name for r in PUBLIC_ROUTES} == PUBLIC_URL_NAMES


@pytest.mark.parametrize("route", ROUTES, ids=_ids(ROUTES))
def test_every_view_is_public_or_requires_log_in(route):
    login_required = getattr(route.callback, "login_required", True)
    assert login_required is (not route.is_public), route.key


def test_every_application_view_has_a_declared_permission():
    assert {r.name for r in APP_ROUTES} == set(REQUIRED_PERMISSION)
    assert set(REQUIRED_PERMISSION) >= POST_ONLY


@pytest.mark.parametrize("route", PUBLIC_ROUTES, ids=_ids(PUBLIC_ROUTES))
def test_public_views_answer_anonymous_visitors(client, world, route):
    for url, _kwargs in urls(route, world, world.contacts["other_rm"]):
        response = client.get(url)
        assert response.status_code < 400, url
        if response.status_code == 302:
            # Not bounced to log in for itself (the admin's log-in hands over to the one
            # site log-in page, with the admin index to come back to).
            assert parse_qs(urlsplit(response["Location"]).query).get("next") != [url]


# --- anonymous -----------------------------------------------------------------------------------


@pytest.mark.parametrize("route", PROTECTED_ROUTES, ids=_ids(PROTECTED_ROUTES))
def test_anonymous_visitors_are_sent_to_log_in(client, world, route):
    contact = world.contacts["other_rm"]
    before = snapshot()
    for url, kwargs in urls(route, world, contact):
        for method in ("get", "post"):
            if method == "post":
                response = client.post(url, post_data(route, kwargs, world, contact))
            else:
                response = client.get(url)
            assert response.status_code == 302, (method, url, response.status_code)
            location = urlsplit(response["Location"])
            assert location.path in _login_paths(route), (method, url, location.path)
            assert parse_qs(location.query).get("next") == [url]
    assert snapshot() == before


# --- outside the book ----------------------------------------------------------------------------


def _denials(user: User, contact_pk: int) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, actor=user, object_id=str(contact_pk)
    ).count()


@pytest.mark.parametrize("route", CONTACT_ROUTES, ids=_ids(CONTACT_ROUTES))
def test_another_books_contact_is_not_found_and_nothing_changes(client, world, route):
    rm = world.users["relationship_manager"]
    sign_in(client, rm)
    contact = world.contacts["other_rm"]
    before = snapshot()
    for url, kwargs in urls(route, world, contact):
        missing = reverse(route.name, kwargs=kwargs | {"pk": MISSING_PK})
        expected_get = 405 if route.name in POST_ONLY else 404
        # Same answer as for a contact that does not exist: nothing is revealed.
        assert client.get(url).status_code == expected_get, url
        assert client.get(missing).status_code == expected_get, missing
        data = post_data(route, kwargs, world, contact)
        denials = _denials(rm, contact.pk)
        response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 404, (url, response.status_code)
        assert _denials(rm, contact.pk) == denials + 1
        assert client.post(missing, data).status_code == 404, missing
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "detail"),
    [("contacts:point_remove", "point"), ("contacts:employment_end", "employment")],
)
def test_another_books_records_cannot_be_reached_through_ones_own_contact(
    client, world, name, detail
):
    sign_in(client, world.users["relationship_manager"])
    own = world.contacts["relationship_manager"]
    theirs = getattr(world.furnished[world.contacts["other_rm"].pk], detail)
    kwarg = "point_pk" if detail == "point" else "employment_pk"
    before = snapshot()
    url = reverse(name, kwargs={"pk": own.pk, kwarg: theirs.pk})
    yesterday = factories.today() - timedelta(days=1)
    assert client.post(url, {"ended_on": yesterday.isoformat()}).status_code == 404
    assert snapshot() == before


def test_a_contact_from_another_book_cannot_be_linked_as_a_relation(client, world):
    sign_in(client, world.users["relationship_manager"])
    own = world.contacts["relationship_manager"]
    url = reverse("contacts:section_add", kwargs={"pk": own.pk, "section": "relationships"})
    before = snapshot()
    data = {"kind": "spouse", "to_contact": world.contacts["other_rm"].pk}
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert snapshot() == before


def test_denied_access_is_audited(client, world):
    rm = world.users["relationship_manager"]
    contact = world.contacts["other_rm"]
    sign_in(client, rm)
    assert client.get(reverse("contacts:detail", args=[contact.pk])).status_code == 404
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED, actor=rm)
    assert event.object_type == "contacts.Contact"
    assert event.object_id == str(contact.pk)
    assert event.detail == {"reason": "not_in_book"}
    assert event.ip_address == "127.0.0.1"
    assert not AuditEvent.objects.filter(action=AuditAction.CONTACT_VIEWED, actor=rm).exists()


def test_compliance_sees_every_book_and_each_view_is_audited(client, world):
    officer = world.users["compliance_officer"]
    sign_in(client, officer)
    for role in ("relationship_manager", "other_rm", "team_lead"):
        contact = world.contacts[role]
        response = client.get(reverse("contacts:detail", args=[contact.pk]))
        assert response.status_code == 200
        assert contact.display_name in response.content.decode()
        event = AuditEvent.objects.get(
            action=AuditAction.CONTACT_VIEWED, actor=officer, contact_id=contact.pk
        )
        assert event.object_type == "contacts.Contact"
        assert event.via == "web"


# --- roles and their permissions -----------------------------------------------------------------

MATRIX_ROLES = [
    "relationship_manager",
    "team_lead",
    "compliance_officer",
    "administrator",
    "reviewer",
]


@pytest.mark.parametrize("role", MATRIX_ROLES)
@pytest.mark.parametrize("route", APP_ROUTES, ids=_ids(APP_ROUTES))
def test_each_role_gets_exactly_what_its_permissions_allow(client, world, route, role):
    """Lacking the permission: 403 (or 405 to a GET on a POST-only view), nothing changes.
    Holding it: the page opens, for a contact in the user's own book."""
    user = world.users[role]
    contact = world.contacts[role]
    sign_in(client, user)
    before = snapshot()
    for url, kwargs in urls(route, world, contact):
        permission = _required_permission(route, kwargs)
        allowed = permission is None or user.has_perm(permission)
        response = client.get(url)
        if route.name in POST_ONLY:
            assert response.status_code == 405, (url, response.status_code)
        else:
            expected = ALLOWED_GET_STATUS.get(route.name, 200) if allowed else 403
            assert response.status_code == expected, (url, response.status_code)
        if not allowed:
            response = client.post(url, post_data(route, kwargs, world, contact))
            assert response.status_code == 403, (url, response.status_code)
    assert snapshot() == before


def test_a_plain_relationship_manager_cannot_hand_over_or_arrange_cover(client, world):
    sign_in(client, world.users["relationship_manager"])
    assert client.get(reverse("contacts:handover")).status_code == 403
    assert client.get(reverse("contacts:cover")).status_code == 403


def test_an_administrator_sees_no_client_data(client, world):
    sign_in(client, world.users["administrator"])
    contact = world.contacts["other_rm"]
    assert client.get(reverse("contacts:list")).status_code == 403
    assert client.get(reverse("contacts:detail", args=[contact.pk])).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 200


# --- the admin console ---------------------------------------------------------------------------


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=_ids(ADMIN_ROUTES))
def test_users_without_a_console_role_are_forbidden_the_admin(client, world, route):
    before = snapshot()
    for role in ("relationship_manager", "staff_rm", "team_lead"):
        sign_in(client, world.users[role])
        for url, kwargs in urls(route, world, world.contacts["other_rm"]):
            assert client.get(url).status_code == 403, (role, url)
            data = post_data(route, kwargs, world, world.contacts["other_rm"])
            assert client.post(url, data).status_code == 403, (role, url)
    assert snapshot() == before


# The admin site's own pages, as a console user sees them. Model pages follow the model
# admin's permissions; an unknown site page fails the test until it is described here.
SITE_PAGES = {
    "admin:index": 200,
    "admin:password_change": 200,
    "admin:password_change_done": 200,
    "admin:jsi18n": 200,
    "admin:logout": 405,  # POST only
    "admin:autocomplete": 403,  # without its query parameters
    "admin:view_on_site": 404,  # tags have no page outside the admin
    "<unnamed admin/(?P<url>.*)$>": 404,
}
# Extra pages a model admin adds with admin_view() alone, and the check each makes.
EXTRA_MODEL_PAGES = {
    "admin:otp_totp_totpdevice_config": (TOTPDevice, "has_view_or_change_permission"),
    "admin:otp_totp_totpdevice_qrcode": (TOTPDevice, "has_view_or_change_permission"),
    "admin:auth_user_password_change": (User, "has_change_permission"),
    "admin:compliance_auditevent_activity": (AuditEvent, "has_view_permission"),
    "admin:compliance_auditevent_verify": (AuditEvent, "has_view_permission"),
    "admin:compliance_trainingrecord_overdue": (TrainingRecord, "has_view_permission"),
    "admin:compliance_accessreview_report": (AccessReview, "has_view_permission"),
    "admin:contacts_contact_erasure": (Contact, "has_erase_permission"),
    "admin:compliance_retentionpolicy_preview": (RetentionPolicy, "has_view_permission"),
    "admin:compliance_datasubjectrequest_dashboard": (DataSubjectRequest, "has_view_permission"),
    "admin:compliance_datasubjectrequest_workflow": (DataSubjectRequest, "has_change_permission"),
    "admin:compliance_dpo_dashboard": (DataSubjectRequest, "has_view_permission"),
    "admin:compliance_accessexport_download": (AccessExport, "has_download_permission"),
    "admin:compliance_purpose_ropa": (Purpose, "has_view_permission"),
    "admin:compliance_incident_seen_by": (Incident, "has_change_permission"),
    "admin:compliance_incident_contacts": (Incident, "has_change_permission"),
    "admin:compliance_incident_decide": (Incident, "has_change_permission"),
    "admin:compliance_incident_notice": (Incident, "has_change_permission"),
}


def _expected_console_status(route: Route, kwargs: dict, user: User, world: World) -> int:
    if route.name == "admin:app_list":
        request = RequestFactory().get("/admin/")
        request.user = user
        return 200 if admin.site.get_app_list(request, kwargs["app_label"]) else 404
    model_admin = route.model_admin
    if route.key in EXTRA_MODEL_PAGES:
        model, check = EXTRA_MODEL_PAGES[route.key]
        request = RequestFactory().get("/admin/")
        request.user = user
        model_admin = admin.site._registry[model]
        allowed = getattr(model_admin, check)(request, world.admin_objects[model])
        return 200 if allowed else 403
    if model_admin is None:
        if route.key not in SITE_PAGES:
            raise LookupError(f"{route.key}: add the admin page to SITE_PAGES")
        return SITE_PAGES[route.key]
    request = RequestFactory().get("/admin/")
    request.user = user
    obj = world.admin_objects.get(model_admin.model)
    action = (route.name or "").rsplit("_", 1)[-1]
    if route.name is None:
        return 302  # <object_id>/ redirects to the change page, which checks
    if action == "add":
        return 200 if model_admin.has_add_permission(request) else 403
    if action == "delete":
        return 200 if model_admin.has_delete_permission(request, obj) else 403
    if action == "history" and not model_admin.get_queryset(request).filter(pk=obj.pk).exists():
        return 302  # Django's "does not exist" redirect comes before the permission check
    if action in ("changelist", "history", "change"):
        return 200 if model_admin.has_view_or_change_permission(request, obj) else 403
    raise LookupError(f"{route.key}: unknown admin page")


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=_ids(ADMIN_ROUTES))
def test_console_roles_use_the_admin_within_their_model_permissions(client, world, route):
    for role in ("administrator", "staff_compliance"):
        user = world.users[role]
        sign_in(client, user)
        for url, kwargs in urls(route, world, world.contacts["other_rm"]):
            expected = _expected_console_status(route, kwargs, user, world)
            response = client.get(url)
            assert response.status_code == expected, (role, url, response.status_code)


@pytest.mark.parametrize(
    "name",
    [
        "admin:contacts_tag_changelist",
        "admin:contacts_tag_add",
        "admin:contacts_organisation_changelist",
        "admin:contacts_requiredfieldrule_changelist",
        "admin:contacts_requiredfieldrule_add",
        "admin:contacts_reviewrule_changelist",
        "admin:core_user_changelist",
        "admin:core_team_changelist",
        "admin:auth_group_changelist",
    ],
)
def test_an_administrator_manages_the_vocabulary_and_staff(client, world, name):
    sign_in(client, world.users["administrator"])
    assert client.get(reverse(name)).status_code == 200


def test_the_console_needs_a_console_role_not_only_staff_status(client, world):
    sign_in(client, world.users["staff_rm"])
    assert client.get(reverse("admin:index")).status_code == 403
    sign_in(client, world.users["nonstaff_compliance"])  # the role, but not staff
    assert client.get(reverse("admin:index")).status_code == 403
    sign_in(client, world.users["staff_compliance"])
    assert client.get(reverse("admin:index")).status_code == 200
