"""Top-level URL routes."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("itdesk.tickets.api.urls")),
    path("api/v1/", include("itdesk.notifications.api_urls")),
    path("channels/mail/", include("itdesk.channels.mail.urls")),
    path("channels/im/", include("itdesk.channels.im.urls")),
    path("channels/webhooks/", include("itdesk.channels.webhooks.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("itdesk.web.urls")),
]
