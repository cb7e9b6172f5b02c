"""Temporary: replaced by the real pages."""
from django.contrib.auth import views as auth_views
from django.http import HttpResponse


def home(request):
    return HttpResponse("ITDesk")


LoginView = auth_views.LoginView
LogoutView = auth_views.LogoutView
