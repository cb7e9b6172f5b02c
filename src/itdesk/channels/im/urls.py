"""Routes of the im channel (included under /channels/im/)."""

from django.urls import path

from itdesk.channels.im import views

app_name = "im"

urlpatterns = [
    path("dingtalk/<int:integration_id>/callback/", views.dingtalk_callback, name="dingtalk-callback"),
    path("wecom/<int:integration_id>/callback/", views.wecom_callback, name="wecom-callback"),
    path("feishu/<int:integration_id>/callback/", views.feishu_callback, name="feishu-callback"),
    path("slack/<int:integration_id>/callback/", views.slack_callback, name="slack-callback"),
]
