"""Signing in and out, and the front door that sends each person to their place."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the desk to its queues and everyone else to their requests."""
    return redirect("web:desk" if request.user.is_desk else "web:portal")  # type: ignore[union-attr]


class LoginView(auth_views.LoginView):
    """The sign-in page; someone already signed in goes straight on."""

    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, with the CSRF token) and return to the sign-in page."""
