"""The contact list's filters. Only the fields named here can be filtered or sorted on."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact, LifecycleStage, RiskLevel, Tag
from contacts.search import query_tokens


class TagChoiceField(forms.ModelChoiceField):
    """Tags as an indented tree, so a subtree reads as one."""

    def label_from_instance(self, tag: Tag) -> str:
        return "\u2003" * tag.depth + tag.label


class TagSubtreeFilter(django_filters.ModelChoiceFilter):
    field_class = TagChoiceField


class Flag:
    DECEASED = "deceased"
    DO_NOT_CONTACT = "do_not_contact"
    LEFT_EMPLOYER = "left_employer"

    choices = [
        (DECEASED, _("Deceased")),
        (DO_NOT_CONTACT, _("Do not contact")),
        (LEFT_EMPLOYER, _("Left employer")),
    ]


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, email, phone or its last 4 digits"), "type": "search"}
        ),
    )
    lifecycle_stage = django_filters.ChoiceFilter(
        choices=LifecycleStage.choices, label=_("Lifecycle stage")
    )
    tag = TagSubtreeFilter(
        queryset=Tag.objects.filter(is_active=True),
        method="filter_tag_subtree",
        label=_("Tag (includes narrower tags)"),
    )
    risk = django_filters.ChoiceFilter(
        choices=RiskLevel.choices, method="filter_current_risk", label=_("Risk profile")
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=None, field_name="owner", label=_("Relationship manager")
    )
    flag = django_filters.ChoiceFilter(
        choices=Flag.choices, method="filter_flag", label=_("Status flag")
    )
    review_overdue = django_filters.BooleanFilter(
        method="filter_review_overdue",
        label=_("Review overdue"),
        widget=forms.CheckboxInput,
    )
    blocking = django_filters.BooleanFilter(
        method="filter_blocking",
        label=_("Has blocking data-quality issues"),
        widget=forms.CheckboxInput,
    )
    score_min = django_filters.NumberFilter(
        field_name="quality_score",
        lookup_expr="gte",
        label=_("Quality score from"),
        min_value=0,
        max_value=100,
    )
    score_max = django_filters.NumberFilter(
        field_name="quality_score",
        lookup_expr="lte",
        label=_("Quality score to"),
        min_value=0,
        max_value=100,
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("display_name", "name"),
            ("lifecycle_stage", "stage"),
            ("risk_level", "risk"),
            ("next_review_due", "review"),
            ("updated_at", "updated"),
            ("quality_score", "quality"),
        ),
        field_labels={
            "display_name": _("Name"),
            "lifecycle_stage": _("Lifecycle stage"),
            "risk_level": _("Risk profile"),
            "next_review_due": _("Next review due"),
            "updated_at": _("Last changed"),
            "quality_score": _("Quality score"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Contact
        fields = [
            "q",
            "lifecycle_stage",
            "tag",
            "risk",
            "owner",
            "flag",
            "review_overdue",
            "blocking",
            "score_min",
            "score_max",
        ]

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = owners
        self.form.fields["owner"].queryset = owners

    def filter_search(self, queryset, name, value):
        tokens = query_tokens(value)
        if tokens:
            return queryset.filter(search_tokens__has_tokens=tokens)
        value = value.strip()
        return queryset.filter(display_name__istartswith=value) if value else queryset

    def filter_tag_subtree(self, queryset, name, tag):
        subtree = Tag.objects.subtree(tag).values_list("pk", flat=True)
        return queryset.filter(tag_ids__has_any=list(subtree))

    def filter_current_risk(self, queryset, name, value):
        return queryset.with_current_risk(value)

    def filter_flag(self, queryset, name, value):
        return queryset.filter(**{f"is_{value}" if value == Flag.DECEASED else value: True})

    def filter_blocking(self, queryset, name, value):
        return queryset.with_blocking_issue() if value else queryset

    def filter_review_overdue(self, queryset, name, value):
        return queryset.with_review_overdue() if value else queryset
