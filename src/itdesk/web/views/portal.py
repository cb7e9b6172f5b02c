"""Temporary: replaced by the real pages."""
from django.http import HttpResponse


def my_requests(request):
    return HttpResponse("")


new_request = request_detail = my_requests
