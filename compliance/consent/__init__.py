"""Consent, purposes and notices, and the one may-contact decision.

- ``rules``: the vocabulary and the rule table, and the decision for one contact over plain
  facts (no database).
- ``queries``: the same rule table as SQL over a Contact queryset, and the facts loader.
- ``services``: writes to the consent ledger, each audited in its own transaction.
"""
