from django.urls import path

from tandem.compliance import privacy_views, views

app_name = "compliance"

urlpatterns = [
    path("", views.reviews, name="reviews"),
    path("revues/<str:review_id>/decision/", views.review_decision, name="review_decision"),
    path("regles/", views.rules, name="rules"),
    path("regles/nouvelle/", views.rule_new, name="rule_new"),
    path("regles/test/", views.rule_test, name="rule_test"),
    path("regles/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("regles/<int:rule_id>/activation/", views.rule_toggle, name="rule_toggle"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("tableau-de-bord/export.csv", views.dashboard_export, name="dashboard_export"),
    path("audit/", views.audit, name="audit"),
    path("audit/export/<str:fmt>/", views.audit_export, name="audit_export"),
    path("donnees-personnelles/", privacy_views.privacy, name="privacy"),
    path(
        "donnees-personnelles/<str:contact_id>/",
        privacy_views.privacy_contact,
        name="privacy_contact",
    ),
    path(
        "donnees-personnelles/<str:contact_id>/export/",
        privacy_views.privacy_export,
        name="privacy_export",
    ),
    path(
        "donnees-personnelles/<str:contact_id>/effacement/",
        privacy_views.privacy_erase,
        name="privacy_erase",
    ),
    path("conservation/", privacy_views.retention, name="retention"),
]
