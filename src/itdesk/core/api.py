"""API plumbing shared by every package: error format and pagination."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from itdesk.core.errors import ServiceError, ValidationFailed

_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
    exceptions.ValidationError: "invalid",
}


def _code_for(exc: exceptions.APIException) -> str:
    for cls, code in _DRF_CODES.items():
        if isinstance(exc, cls):
            return code
    return str(getattr(exc, "default_code", "error"))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every API error as JSON with a stable `code` and a human `detail`."""
    if isinstance(exc, ServiceError):
        body: dict[str, Any] = {"code": exc.code, "detail": str(exc.message)}
        if isinstance(exc, ValidationFailed) and exc.fields:
            body["fields"] = {k: [str(m) for m in v] for k, v in exc.fields.items()}
        body.update({k: v for k, v in exc.details.items() if isinstance(v, str | int | list | dict | None)})
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    code = _code_for(exc)
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"code": code, "detail": str(ValidationFailed.default_message), "fields": fields}
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        response.data = {"code": code, "detail": str(exc.detail)}
    return response


class Pagination(pagination.PageNumberPagination):
    """Page-number pagination with a caller-chosen page size up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200


class CachedFieldsModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that inspects its model once per class, not once per instance.

    DRF rebuilds every field from model introspection each time a serializer is instantiated (for a ticket
    with nested references that is most of an API write's CPU time). The built fields are stateless until
    bound, so each instance gets a deep copy of the class's prototype instead.
    """

    _field_prototypes: ClassVar[dict[type, dict[str, Any]]] = {}

    def get_fields(self) -> dict[str, Any]:
        prototype = self._field_prototypes.get(type(self))
        if prototype is None:
            prototype = super().get_fields()
            self._field_prototypes[type(self)] = prototype
        return copy.deepcopy(prototype)
