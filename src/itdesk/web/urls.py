"""Page routes: the requester portal, the agent desk and sign-in."""

from django.urls import include, path

from itdesk.web import notification_views
from itdesk.web.views import auth, desk, desk_ticket, files, portal

app_name = "web"

urlpatterns = [
    path("", include("itdesk.web.kb_urls")),
    path("", auth.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("portal/", portal.my_requests, name="portal"),
    path("portal/new/", portal.new_request, name="portal-new"),
    path("portal/notifications/", notification_views.notification_settings, name="portal-notifications"),
    path("portal/<str:number>/", portal.request_detail, name="portal-ticket"),
    path("portal/<str:number>/reply/", portal.reply, name="portal-reply"),
    path("portal/<str:number>/move/", portal.transition, name="portal-transition"),
    path("desk/", desk.queue_view, name="desk"),
    path("desk/new/", desk.register_ticket, name="desk-new"),
    path("desk/people/", desk.people, name="desk-people"),
    path("desk/notifications/", notification_views.notification_settings, name="desk-notifications"),
    path("desk/<str:number>/", desk_ticket.ticket_detail, name="desk-ticket"),
    path("desk/<str:number>/edit/", desk_ticket.edit, name="desk-edit"),
    path("desk/<str:number>/assign/", desk_ticket.assign_to_me, name="desk-assign"),
    path("desk/<str:number>/reply/", desk_ticket.reply, name="desk-reply"),
    path("desk/<str:number>/move/", desk_ticket.transition, name="desk-transition"),
    path("tickets/<str:number>/files/<int:attachment_id>/", files.download, name="attachment"),
]
