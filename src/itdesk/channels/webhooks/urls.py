"""Routes of the webhooks channel (included under /channels/webhooks/)."""

from django.urls import path

from itdesk.channels.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("inbound/<slug:slug>/", views.inbound_alert, name="inbound"),
]
