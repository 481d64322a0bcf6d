"""The search-token column and its lookup, portable between PostgreSQL and SQLite."""

from django.db import models


class SearchTokensField(models.TextField):
    """Space-padded tokens (`` a b c ``). ``field__has_tokens=[...]`` matches rows holding
    every token: an array containment served by a GIN index on PostgreSQL, a LIKE scan on
    SQLite (the quick start's small book)."""


@SearchTokensField.register_lookup
class HasTokens(models.Lookup):
    lookup_name = "has_tokens"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return ("%s", list(value))

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            f"string_to_array(btrim({lhs}), ' ') @> %s::text[]",
            [*lhs_params, list(self.rhs)],
        )

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        tokens = list(self.rhs)
        if not tokens:
            return "1 = 1", []
        clauses = " AND ".join(f"{lhs} LIKE %s ESCAPE '\\'" for _ in tokens)
        params = []
        for token in tokens:
            escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.extend([*lhs_params, f"% {escaped} %"])
        return clauses, params


class IdSetField(models.TextField):
    """A set of ids kept as space-padded text (`` 3 7 12 ``), sorted, so that
    ``field__has_any=[...]`` can be answered from a covering index on PostgreSQL (it is
    INCLUDEd in the list indexes) without visiting another table. A copy, derived from
    rows elsewhere: the service that changes those rows keeps it in step."""

    @staticmethod
    def spell(ids) -> str:
        ordered = sorted({int(i) for i in ids})
        return f" {' '.join(map(str, ordered))} " if ordered else ""


@IdSetField.register_lookup
class HasAny(models.Lookup):
    lookup_name = "has_any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [int(i) for i in value])

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            f"string_to_array(btrim({lhs}), ' ')::bigint[] && %s::bigint[]",
            [*lhs_params, [int(i) for i in self.rhs]],
        )

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = [int(i) for i in self.rhs]
        if not ids:
            return "1 = 0", []
        clauses = " OR ".join(f"{lhs} LIKE %s" for _ in ids)
        params = []
        for pk in ids:
            params.extend([*lhs_params, f"% {pk} %"])
        return f"({clauses})", params
