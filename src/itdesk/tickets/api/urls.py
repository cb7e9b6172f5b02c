"""Routes of the REST API, mounted under /api/v1/."""

from django.urls import path

from itdesk.kb.api import views as kb_views
from itdesk.search import api as search_api
from itdesk.sla import api as sla_api
from itdesk.tickets.api import views

app_name = "api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("search/", search_api.SearchView.as_view(), name="search"),
    path("tickets/", views.TicketListView.as_view(), name="ticket-list"),
    path("tickets/<str:number>/", views.TicketDetailView.as_view(), name="ticket-detail"),
    path("tickets/<str:number>/transition/", views.TicketTransitionView.as_view(), name="ticket-transition"),
    path("tickets/<str:number>/comments/", views.CommentListView.as_view(), name="ticket-comments"),
    path("tickets/<str:number>/events/", views.EventListView.as_view(), name="ticket-events"),
    path("tickets/<str:number>/sla/", sla_api.TicketSlaView.as_view(), name="ticket-sla"),
    path("tickets/<str:number>/attachments/", views.AttachmentListView.as_view(), name="ticket-attachments"),
    path(
        "tickets/<str:number>/attachments/<int:attachment_id>/",
        views.AttachmentDetailView.as_view(),
        name="attachment-detail",
    ),
    path(
        "tickets/<str:number>/attachments/<int:attachment_id>/download/",
        views.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
    path("kb/articles/", kb_views.ArticleListView.as_view(), name="kb-article-list"),
    path("kb/articles/from-ticket/", kb_views.ArticleFromTicketView.as_view(), name="kb-article-from-ticket"),
    path("kb/articles/<int:pk>/", kb_views.ArticleDetailView.as_view(), name="kb-article-detail"),
    path("kb/articles/<int:pk>/vote/", kb_views.ArticleVoteView.as_view(), name="kb-article-vote"),
    path(
        "kb/articles/<int:pk>/versions/", kb_views.ArticleVersionsView.as_view(), name="kb-article-versions"
    ),
    path(
        "kb/articles/<int:pk>/solved/", kb_views.ArticleSolvedTicketView.as_view(), name="kb-article-solved"
    ),
    path(
        "kb/articles/<int:pk>/deflections/",
        kb_views.ArticleDeflectionView.as_view(),
        name="kb-article-deflect",
    ),
]
