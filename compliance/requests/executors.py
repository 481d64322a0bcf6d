"""What completing a data-subject request does, for the types Prudence carries out itself.

Registered with ``compliance.requests.services.register_executor`` in
``ComplianceConfig.ready()``; each runs inside ``request_complete``'s transaction, so a
refusal (a plan that changed since the preview, say) leaves the request open.
"""

from compliance.consent.services import marketing_stop_all
from compliance.erasure import restriction
from compliance.erasure.services import erasure_execute, is_erased
from compliance.models import ConsentSource, DataSubjectRequest, RequestChannel
from compliance.requests.clock import RequestType
from compliance.requests.services import register_executor

# How the person told us, as the consent ledger names its sources.
REFUSAL_SOURCE = {
    RequestChannel.BRANCH: ConsentSource.BRANCH,
    RequestChannel.LETTER: ConsentSource.SIGNED_PAPER,
    RequestChannel.PHONE: ConsentSource.CALL_RECORDING,
    RequestChannel.WEB_FORM: ConsentSource.WEB_FORM,
    RequestChannel.EMAIL: ConsentSource.WEB_FORM,
    RequestChannel.RELATIONSHIP_MANAGER: ConsentSource.BRANCH,
}


def request_reference(request: DataSubjectRequest) -> str:
    """How the erasure, restriction or refusal names the request: its number, no names."""
    return f"data-subject request {request.pk}"


def execute_erasure(
    *,
    actor,
    request: DataSubjectRequest,
    reason: str = "",
    expected_fingerprint: str | None = None,
) -> bool:
    """Erase the contact through ``erasure_execute`` (holds apply). The console passes the
    fingerprint of the plan the DPO previewed and confirmed."""
    if is_erased(request.contact_id):
        return False  # erased from the contact's page already: the request is answered
    erasure_execute(
        contact=request.contact,
        by=actor,
        reason=reason.strip() or request_reference(request),
        request_id=str(request.pk),
        expected_fingerprint=expected_fingerprint,
    )
    return True


def execute_restriction(*, actor, request: DataSubjectRequest, reason: str = "") -> bool:
    """Restrict all processing of the contact; an existing restriction already answers it."""
    if restriction.active_restrictions(request.contact_id).exists():
        return False
    restriction.restriction_apply(
        actor=actor, contact=request.contact, reason=reason.strip() or request_reference(request)
    )
    return True


def execute_objection(*, actor, request: DataSubjectRequest, stop_marketing: bool = False) -> bool:
    """An objection to direct marketing (GDPR Art. 21(2), PDPA Art. 20): stop all marketing
    when the DPO says so; other objections are weighed and answered by hand."""
    if not stop_marketing:
        return False
    marketing_stop_all(
        actor=actor,
        contact=request.contact,
        source=REFUSAL_SOURCE.get(request.channel, ConsentSource.BRANCH),
        evidence_reference=request_reference(request),
    )
    return True


def register_all() -> None:
    register_executor(RequestType.ERASURE, execute_erasure)
    register_executor(RequestType.RESTRICTION, execute_restriction)
    register_executor(RequestType.OBJECTION, execute_objection)
