"""Reads for the data-quality screens. Every one starts from ``Contact.objects.visible_to``:
an RM sees their book, a team lead the team's, compliance every book."""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import Least

from contacts.models import Contact
from contacts.models.contact import book_owner_ids
from core import roles
from dataquality import rules
from dataquality.models import QualityIssue, QualityRun, QualitySnapshot, ReviewTask

TREND_RUNS = 12
CHART_WIDTH = 600
CHART_HEIGHT = 200
CHART_LEFT = 40
CHART_BOTTOM = 30


@dataclass
class Bar:
    label: str
    value: int
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0

    @property
    def label_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self) -> float:
        return round(self.y - 4, 1)


@dataclass
class BarChart:
    """Bars laid out for an SVG drawn by the template (no script, no style attributes)."""

    bars: list[Bar]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    maximum: int = 0

    @property
    def baseline(self) -> int:
        return self.height - CHART_BOTTOM

    @property
    def label_y(self) -> int:
        return self.height - 10


def bar_chart(bars: list[Bar], *, width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> BarChart:
    chart = BarChart(bars=bars, width=width, height=height)
    chart.maximum = max((b.value for b in bars), default=0)
    if not bars:
        return chart
    plot_height = height - CHART_BOTTOM - 10
    slot = (width - CHART_LEFT) / len(bars)
    for index, bar in enumerate(bars):
        bar.width = round(slot * 0.7, 1)
        bar.x = round(CHART_LEFT + index * slot + slot * 0.15, 1)
        bar.height = round(plot_height * bar.value / chart.maximum, 1) if chart.maximum else 0
        bar.y = round(chart.baseline - bar.height, 1)
    return chart


@dataclass
class TrendPoint:
    label: str
    average: float
    blocking: int
    x: float = 0
    y: float = 0


@dataclass
class Trend:
    points: list[TrendPoint] = field(default_factory=list)
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def baseline(self) -> int:
        return self.height - CHART_BOTTOM

    @property
    def label_y(self) -> int:
        return self.height - 10


def _trend(owner_filter: Q) -> Trend:
    runs = list(
        QualityRun.objects.filter(finished_at__isnull=False).order_by("-started_at")[:TREND_RUNS]
    )
    runs.reverse()
    totals = {
        row["run_id"]: row
        for row in QualitySnapshot.objects.filter(owner_filter, run__in=runs)
        .order_by()
        .values("run_id")
        .annotate(contacts=Sum("contacts"), scores=Sum("score_sum"), blocking=Sum("blocking"))
    }
    trend = Trend()
    plot_height = trend.height - CHART_BOTTOM - 10
    slot = (trend.width - CHART_LEFT) / max(len(runs), 1)
    for index, run in enumerate(runs):
        row = totals.get(run.pk, {})
        contacts = row.get("contacts") or 0
        average = round((row.get("scores") or 0) / contacts, 1) if contacts else 0
        point = TrendPoint(
            label=f"{run.started_at:%m-%d}", average=average, blocking=row.get("blocking") or 0
        )
        point.x = round(CHART_LEFT + index * slot + slot / 2, 1)
        point.y = round(trend.baseline - plot_height * average / 100, 1)
        trend.points.append(point)
    return trend


def _owner_filter(user) -> Q:
    if roles.COMPLIANCE in roles.role_names(user):
        return Q()
    return Q(owner_id__in=book_owner_ids(user))


def open_issues_by_rule(contacts) -> list[tuple[str, object, int]]:
    """(rule code, label, open issues) for the contacts given, most frequent first."""
    rows = (
        QualityIssue.objects.filter(resolved_on__isnull=True, contact_id__in=contacts.values("pk"))
        .order_by()
        .values("rule")
        .annotate(n=Count("id"))
        .order_by("-n", "rule")
    )
    return [(row["rule"], rule_label(row["rule"]), row["n"]) for row in rows]


def rule_label(code: str):
    rule = rules.rule_for(code)
    return rule.label if rule else code


def rule_message(code: str, stored: str):
    rule = rules.rule_for(code)
    return rule.message if rule else stored


def dashboard(*, user) -> dict:
    """Score distribution, open issues by rule, trend over the last runs, and per RM, for
    the book(s) ``user`` may see."""
    contacts = Contact.objects.visible_to(user)
    buckets = {
        row["bucket"]: row["n"]
        for row in contacts.filter(quality_score__isnull=False)
        .annotate(bucket=Least("quality_score", 99) / 10)
        .order_by()
        .values("bucket")
        .annotate(n=Count("id"))
    }
    distribution = bar_chart(
        [
            Bar(label=f"{b * 10}–{b * 10 + 9 if b < 9 else 100}", value=buckets.get(b, 0))
            for b in range(10)
        ]
    )
    by_rule = open_issues_by_rule(contacts)
    issues_chart = bar_chart([Bar(label=str(label), value=n) for _, label, n in by_rule])
    per_rm = list(
        contacts.order_by()
        .values("owner_id", "owner__username", "owner__first_name", "owner__last_name")
        .annotate(
            contacts=Count("id"),
            average=Avg("quality_score"),
            blocking=Count("id", filter=Q(has_blocking_issue=True)),
        )
        .order_by("owner__username")
    )
    totals = contacts.aggregate(
        contacts=Count("id"),
        average=Avg("quality_score"),
        blocking=Count("id", filter=Q(has_blocking_issue=True)),
        unscored=Count("id", filter=Q(quality_score__isnull=True)),
    )
    return {
        "totals": totals,
        "distribution": distribution,
        "by_rule": by_rule,
        "issues_chart": issues_chart,
        "trend": _trend(_owner_filter(user)),
        "per_rm": per_rm,
    }


def home_summary(*, user) -> dict:
    """The RM home page's data-quality card."""
    contacts = Contact.objects.visible_to(user)
    return {
        "blocking": contacts.filter(has_blocking_issue=True).count(),
        "by_rule": open_issues_by_rule(contacts)[:5],
        "open_tasks": my_tasks(user=user).count(),
    }


def my_tasks(*, user):
    """The user's own open review tasks, on contacts they can still see."""
    return (
        ReviewTask.objects.filter(
            assignee=user,
            completed_at__isnull=True,
            contact_id__in=Contact.objects.visible_to(user).values("pk"),
        )
        .select_related("contact")
        .only("rule", "due_on", "created_at", "contact__display_name", "contact_id")
        .order_by("due_on", "id")
    )


def contact_quality(*, contact) -> dict:
    """The contact page's data-quality panel: open issues, recent resolved, verifications."""
    issues = list(contact.quality_issues.order_by("resolved_on", "-detected_on", "id")[:20])
    for issue in issues:
        issue.label = rule_label(issue.rule)
        issue.text = rule_message(issue.rule, issue.message)
    return {
        "open_issues": [i for i in issues if i.resolved_on is None],
        "resolved_issues": [i for i in issues if i.resolved_on is not None][:5],
        "verifications": list(contact.verification_results.all()[:5]),
    }
