"""Scoring a chunk of contacts: evaluate the rules, write each contact's summary through the
contacts service, open and resolve issues, create review tasks. Set-based: a fixed number of
queries per chunk.

Idempotent: a second run over the same, unchanged contacts writes the same summaries, opens
no issue twice (one open issue per contact and rule) and creates no task twice.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from compliance import audit
from contacts.models import Contact, ContactPoint, ContactPointKind, ContactPointStatus
from contacts.services.contacts import NAME_FIELDS
from contacts.services.policies import rules_in_force
from contacts.services.quality import (
    QualitySummary,
    contact_points_set_status,
    contact_quality_set_bulk,
    contacts_renormalise_names,
    renormalised_names,
)
from dataquality import rules
from dataquality.models import QualityIssue, ReviewTask
from dataquality.services.facts import Loaded, among, load_facts, passes_validation

DEFAULT_TASK_DUE_DAYS = 14


@dataclass
class ChunkResult:
    read: int = 0
    written: int = 0
    skipped: int = 0
    opened: dict[str, list[int]] = field(default_factory=dict)
    resolved: dict[str, list[int]] = field(default_factory=dict)
    tasks: int = 0
    renormalised: int = 0
    revalidated: int = 0

    def add(self, other: "ChunkResult") -> None:
        self.read += other.read
        self.written += other.written
        self.skipped += other.skipped
        self.tasks += other.tasks
        self.renormalised += other.renormalised
        self.revalidated += other.revalidated
        for mine, theirs in ((self.opened, other.opened), (self.resolved, other.resolved)):
            for rule, ids in theirs.items():
                mine.setdefault(rule, []).extend(ids)

    @property
    def issues_opened(self) -> int:
        return sum(len(v) for v in self.opened.values())

    @property
    def issues_resolved(self) -> int:
        return sum(len(v) for v in self.resolved.values())


def run_config() -> rules.Config:
    """The rules' settings, with the required-field rules in force from the console."""
    return rules.Config.from_settings(policy_rules=rules_in_force())


def renormalise_chunk(contact_ids: list[int], *, run: str = "") -> int:
    """Rewrite names that are not in their normal form (full-width letters, stray spaces,
    shouting capitals), through the contacts service, guarded by version."""
    pending = []
    for pk, version, *names in Contact.objects.filter(among("pk", contact_ids)).values_list(
        "pk", "version", *NAME_FIELDS
    ):
        changed = renormalised_names(dict(zip(NAME_FIELDS, names, strict=True)))
        if changed:
            pending.append((pk, version, changed))
    if not pending:
        return 0
    return len(contacts_renormalise_names(rows=pending, run=run))


def revalidate_chunk(contact_ids: list[int]) -> int:
    """Re-validate the contact points of these contacts with today's validators and mark
    the ones that fail invalid, through the contacts service (the may-contact door and the
    validity score read the status). Returns how many points were marked."""
    failing = [
        pk
        for pk, kind, value, normalized in ContactPoint.objects.filter(
            among("contact_id", contact_ids),
            kind__in=[ContactPointKind.EMAIL, ContactPointKind.PHONE],
            status=ContactPointStatus.VALID,
        )
        .values_list("pk", "kind", "value", "normalized")
        .order_by()
        if not passes_validation(kind, value, normalized)
    ]
    if not failing:
        return 0
    marked, _ = contact_points_set_status(
        actor=None, point_ids=failing, status=ContactPointStatus.INVALID, source="revalidation"
    )
    return marked


def _message(rule: rules.Rule) -> str:
    # Stored in English as a record; screens show the rule's message in the reader's language.
    with translation.override("en"):
        return str(rule.message)[:300]


@transaction.atomic
def score_chunk(
    contact_ids: list[int],
    *,
    today: date | None = None,
    config: rules.Config | None = None,
    hnw_tags: list[int] | None = None,
    tag_codes: dict[int, frozenset[str]] | None = None,
    run: str = "",
    renormalise: bool = True,
) -> ChunkResult:
    """Score the given contacts and bring their issues and review tasks up to date."""
    today = today or timezone.localdate()
    config = config or run_config()
    result = ChunkResult()
    # Names and contact points are normalised and validated when a person saves them; what
    # changed since the last scoring (or was never scored: an import that bypassed the
    # services) is checked again here, before the facts are read.
    changed_since = list(
        Contact.objects.filter(
            among("pk", contact_ids), quality_version__lt=F("version")
        ).values_list("pk", flat=True)
    )
    if renormalise and changed_since:
        result.renormalised = renormalise_chunk(changed_since, run=run)
        result.revalidated = revalidate_chunk(changed_since)
    loaded = load_facts(contact_ids, hnw_tags=hnw_tags, tag_codes=tag_codes)
    result.read = len(loaded)
    evaluations: dict[int, tuple[Loaded, rules.Evaluation]] = {}
    summaries, changed, unchanged = [], [], {}
    for item in loaded:
        evaluation = rules.evaluate(item.facts, today, config)
        evaluations[item.facts.contact_id] = (item, evaluation)
        summary = QualitySummary(
            contact_id=item.facts.contact_id,
            seen_version=item.seen_version,
            score=evaluation.score,
            has_blocking_issue=evaluation.has_blocking_issue,
            stale_since=evaluation.stale_since,
            due_on=evaluation.due_on,
            seen_tag_ids=item.tag_ids,
        )
        now = (summary.score, summary.has_blocking_issue, summary.stale_since, summary.due_on)
        if item.previous[:3] != now[:3]:
            changed.append(summary.contact_id)
        if item.previous == now and item.quality_version == item.seen_version:
            # Nothing to write: rewriting the row would only churn every index on it.
            unchanged[summary.contact_id] = (item.seen_version, item.tag_ids)
        else:
            summaries.append(summary)
    written = contact_quality_set_bulk(summaries=summaries, changed_ids=changed, run=run)
    result.written = len(written)
    # Contacts left as they were still sync their issues, unless a person changed them
    # since they were read (then the next run scores them afresh).
    synced = set(written)
    if unchanged:
        synced |= {
            pk
            # Locked to the chunk's commit, like the rows the UPDATE wrote: an erasure or an
            # edit arriving now waits a moment instead of racing the issues written below.
            for pk, version, tag_ids in Contact.objects.filter(among("pk", unchanged))
            .select_for_update()
            .values_list("pk", "version", "tag_ids")
            if unchanged[pk] == (version, tag_ids or "")
        }
    result.skipped = len(loaded) - len(synced)
    _sync_issues({pk: evaluations[pk] for pk in synced}, today=today, result=result, run=run)
    return result


def _sync_issues(
    evaluations: dict[int, tuple[Loaded, rules.Evaluation]],
    *,
    today: date,
    result: ChunkResult,
    run: str,
) -> None:
    if not evaluations:
        return
    open_issues = {
        (issue.contact_id, issue.rule): issue
        for issue in QualityIssue.objects.filter(
            among("contact_id", evaluations), resolved_on__isnull=True
        ).only("id", "contact_id", "rule", "severity", "stale_since")
    }
    found: dict[tuple[int, str], rules.Finding] = {
        (pk, finding.rule): finding
        for pk, (_, evaluation) in evaluations.items()
        for finding in evaluation.findings
    }
    # Only rules this run knows are resolved by it: an issue from a rule no longer in the
    # table is left for whoever owns it.
    known = {rule.code for rule in rules.all_rules()}
    to_resolve = [
        issue for key, issue in open_issues.items() if key not in found and issue.rule in known
    ]
    to_update = []
    for key, finding in found.items():
        issue = open_issues.get(key)
        if issue and (issue.severity, issue.stale_since) != (finding.severity, finding.stale_since):
            issue.severity, issue.stale_since = finding.severity, finding.stale_since
            to_update.append(issue)
    new = [
        QualityIssue(
            contact_id=pk,
            rule=rule,
            severity=finding.severity,
            message=_message(rules.rule_for(rule)),
            detected_on=today,
            stale_since=finding.stale_since,
        )
        for (pk, rule), finding in found.items()
        if (pk, rule) not in open_issues
    ]
    if to_resolve:
        QualityIssue.objects.filter(pk__in=[i.pk for i in to_resolve]).update(resolved_on=today)
        # A task about a problem that went away is done; nobody need act on it.
        for issue in to_resolve:
            result.resolved.setdefault(issue.rule, []).append(issue.contact_id)
        _complete_tasks_for(to_resolve)
    if to_update:
        QualityIssue.objects.bulk_update(to_update, ["severity", "stale_since"])
    if new:
        QualityIssue.objects.bulk_create(new)
        for issue in new:
            result.opened.setdefault(issue.rule, []).append(issue.contact_id)
        result.tasks += _create_tasks(new, evaluations, today=today)
    chunk_opened = {r: [i.contact_id for i in new if i.rule == r] for r in {i.rule for i in new}}
    chunk_resolved = {
        r: [i.contact_id for i in to_resolve if i.rule == r] for r in {i.rule for i in to_resolve}
    }
    if new or to_resolve:
        audit.quality_issues_changed(opened=chunk_opened, resolved=chunk_resolved, run=run)


def _complete_tasks_for(issues: list[QualityIssue]) -> None:
    by_rule: dict[str, list[int]] = {}
    for issue in issues:
        by_rule.setdefault(issue.rule, []).append(issue.contact_id)
    now = timezone.now()
    for rule, contact_ids in by_rule.items():
        ReviewTask.objects.filter(
            rule=rule, contact_id__in=contact_ids, completed_at__isnull=True
        ).update(completed_at=now)


def task_due_on(today: date) -> date:
    return today + timedelta(days=getattr(settings, "DATAQUALITY_TASK_DUE_DAYS", 14))


def _create_tasks(
    new: list[QualityIssue],
    evaluations: dict[int, tuple[Loaded, rules.Evaluation]],
    *,
    today: date,
) -> int:
    tasks = [
        ReviewTask(
            contact_id=issue.contact_id,
            assignee_id=evaluations[issue.contact_id][0].owner_id,
            rule=issue.rule,
            due_on=task_due_on(today),
        )
        for issue in new
        if (rule := rules.rule_for(issue.rule)) and rule.creates_task
    ]
    if not tasks:
        return 0
    # One open task per contact and rule (a unique index): a task still open stays as it is.
    ReviewTask.objects.bulk_create(tasks, ignore_conflicts=True)
    ids = sorted({t.contact_id for t in tasks})
    audit.quality_tasks_created(contact_ids=ids)
    return len(tasks)
