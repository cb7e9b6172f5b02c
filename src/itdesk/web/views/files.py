"""Temporary: replaced by the real pages."""
from django.http import HttpResponse


def download(request, number, attachment_id):
    return HttpResponse("")
