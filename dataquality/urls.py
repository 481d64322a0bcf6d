from django.urls import path

from dataquality import views

app_name = "dataquality"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("tasks/", views.task_list_view, name="tasks"),
    path("tasks/<int:pk>/done/", views.task_complete_view, name="task_complete"),
    path("contacts/<int:pk>/", views.contact_quality_view, name="contact"),
    path("imports/", views.list_import_view, name="imports"),
    path("deceased-matches/", views.candidate_list_view, name="candidates"),
    path(
        "deceased-matches/<int:pk>/decide/",
        views.candidate_decide_view,
        name="candidate_decide",
    ),
]
