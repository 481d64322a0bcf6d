"""Erasure (GDPR Art. 17, PDPA Art. 11), legal holds, restriction (GDPR Art. 18), the
disclosure register (GDPR Art. 19) and the suppression list.

Entry points for other code (the data-subject request workflow, importers):

- ``services.erasure_preview(contact=...)`` -> ``ErasurePlan``: what an erasure would do now.
- ``services.erasure_execute(contact=..., by=..., reason=..., request_id=None)`` ->
  ``ErasureRecord``.
- ``restriction.restriction_apply`` / ``restriction.restriction_lift``.
- ``disclosure.disclosure_record``: who received which contacts.
- ``suppression.is_suppressed(email=..., phone=..., national_id=...)``.
"""
