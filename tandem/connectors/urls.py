from django.urls import path

from tandem.connectors.meta.views import meta_webhook

urlpatterns = [
    path("webhooks/meta", meta_webhook, name="meta-webhook"),
]
