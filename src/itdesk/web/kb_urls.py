"""Knowledge base page routes, included at the top of web.urls (before portal/<number>/ and desk/<number>/)."""

from django.urls import path

from itdesk.web.views import kb_desk, kb_portal

urlpatterns = [
    path("portal/kb/", kb_portal.article_list, name="kb-portal"),
    path("portal/kb/suggestions/", kb_portal.suggestions, name="kb-suggestions"),
    path("portal/kb/<int:pk>/", kb_portal.article_detail, name="kb-portal-article"),
    path("portal/kb/<int:pk>/vote/", kb_portal.vote, name="kb-portal-vote"),
    path("portal/kb/<int:pk>/solved/", kb_portal.deflect, name="kb-deflect"),
    path("portal/kb/<int:pk>/thanks/", kb_portal.thanks, name="kb-portal-thanks"),
    path("desk/kb/", kb_desk.article_list, name="kb-desk"),
    path("desk/kb/new/", kb_desk.article_new, name="kb-desk-new"),
    path("desk/kb/review/", kb_desk.review_list, name="kb-desk-review"),
    path("desk/kb/<int:pk>/", kb_desk.article_detail, name="kb-desk-article"),
    path("desk/kb/<int:pk>/edit/", kb_desk.article_edit, name="kb-desk-edit"),
    path("desk/kb/<int:pk>/move/", kb_desk.article_move, name="kb-desk-move"),
    path("desk/<str:number>/to-article/", kb_desk.ticket_to_article, name="kb-ticket-to-article"),
    path("desk/<str:number>/solved-by/", kb_desk.ticket_solved_by, name="kb-ticket-solved-by"),
]
