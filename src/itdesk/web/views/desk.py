"""Temporary: replaced by the real pages."""
from django.http import HttpResponse


def queue_view(request):
    return HttpResponse("")


register_ticket = ticket_detail = queue_view
