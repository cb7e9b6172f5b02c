"""Routes of the notification API, mounted under /api/v1/ next to the ticket API."""

from django.urls import path

from itdesk.notifications import api

app_name = "notifications-api"

urlpatterns = [
    path(
        "me/notification-preferences/",
        api.MyNotificationPreferencesView.as_view(),
        name="my-preferences",
    ),
    path(
        "tickets/<str:number>/notifications/",
        api.TicketNotificationsView.as_view(),
        name="ticket-notifications",
    ),
]
