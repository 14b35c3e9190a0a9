from django.urls import include, path
from django.views.i18n import set_language

from config.api import api
from tandem.organisation.admin_site import admin_site
from tandem.organisation.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("tandem.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin_site.urls),
    path("api/v1/", api.urls),
    path("inbox/", include("tandem.inbox.urls")),
    path("conformite/", include("tandem.compliance.urls")),
    path("", include("tandem.connectors.urls")),
]
