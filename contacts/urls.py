from django.urls import path

from contacts.views import books, consent, detail, export, list, requests, review

app_name = "contacts"

urlpatterns = [
    path("", list.contact_list_view, name="list"),
    path("bulk/", list.contact_bulk_view, name="bulk"),
    path("export/", export.contact_export_view, name="export"),
    path("new/", detail.contact_create_view, name="create"),
    path("handover/", books.book_handover_view, name="handover"),
    path("cover/", books.book_cover_view, name="cover"),
    path("requests/", requests.request_list_view, name="request_list"),
    path("import/", review.contact_import_view, name="import"),
    path("review/", review.review_queue_view, name="review_queue"),
    path("review/mine/", review.review_mine_view, name="review_mine"),
    path("review/<int:change_pk>/", review.review_change_view, name="review_change"),
    path("review/<int:change_pk>/approve/", review.review_approve_view, name="review_approve"),
    path("review/<int:change_pk>/reject/", review.review_reject_view, name="review_reject"),
    path("review/batches/<int:batch_pk>/", review.review_batch_view, name="review_batch"),
    path(
        "review/batches/<int:batch_pk>/approve/",
        review.review_batch_approve_view,
        name="review_batch_approve",
    ),
    path(
        "review/batches/<int:batch_pk>/reject/",
        review.review_batch_reject_view,
        name="review_batch_reject",
    ),
    path("<int:pk>/", detail.contact_detail_view, name="detail"),
    path("<int:pk>/edit/", detail.contact_edit_view, name="edit"),
    path("<int:pk>/household/", detail.contact_household_view, name="household"),
    path("<int:pk>/reveal/", detail.contact_reveal_view, name="reveal"),
    path(
        "<int:pk>/accounts/<int:account_pk>/reveal/",
        detail.account_reveal_view,
        name="account_reveal",
    ),
    path("<int:pk>/consent/", consent.consent_record_view, name="consent_record"),
    path("<int:pk>/consent/withdraw/", consent.consent_withdraw_view, name="consent_withdraw"),
    path(
        "<int:pk>/consent/stop-marketing/",
        consent.marketing_stop_all_view,
        name="marketing_stop_all",
    ),
    path(
        "<int:pk>/requests/new/",
        requests.contact_request_create_view,
        name="request_create",
    ),
    path("<int:pk>/<slug:section>/add/", detail.contact_section_add_view, name="section_add"),
    path(
        "<int:pk>/notes/restrict/",
        detail.contact_notes_restrict_view,
        name="notes_restrict",
    ),
    path(
        "<int:pk>/interactions/<int:interaction_pk>/restrict/",
        detail.interaction_restrict_view,
        name="interaction_restrict",
    ),
    path(
        "<int:pk>/interactions/<int:interaction_pk>/edit/",
        detail.interaction_edit_view,
        name="interaction_edit",
    ),
    path(
        "<int:pk>/tags/<int:tag_pk>/remove/",
        detail.contact_tag_remove_view,
        name="tag_remove",
    ),
    path(
        "<int:pk>/points/<int:point_pk>/remove/",
        detail.contact_point_remove_view,
        name="point_remove",
    ),
    path(
        "<int:pk>/employment/<int:employment_pk>/end/",
        detail.employment_end_view,
        name="employment_end",
    ),
]
