"""API plumbing shared by every package: error format and pagination."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.utils.formatting import lazy_format
from rest_framework.views import exception_handler as drf_exception_handler

from itdesk.core.counting import CountingPaginator
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
    """Page-number pagination with a caller-chosen page size up to 200 (large totals: core.counting)."""

    django_paginator_class = CountingPaginator
    page_size_query_param = "page_size"
    max_page_size = 200


def _holds_fields(field: serializers.Field) -> bool:
    """Whether a field is a serializer or holds other fields (a list's child, a many relation's child)."""
    return isinstance(field, serializers.BaseSerializer) or any(
        isinstance(value, serializers.Field) for value in vars(field).values()
    )


def _formats_once(validator: Any) -> bool:
    """Whether a validator's message is a DRF lazy_format, which keeps its first rendering (language too)."""
    return isinstance(getattr(validator, "message", None), lazy_format)


def _own_message(validator: Any) -> Any:
    """The validator, or a copy with a message of its own that is rendered in the language of its use."""
    if not _formats_once(validator):
        return validator
    message = validator.message
    own = copy.copy(validator)
    own.message = lazy_format(message.format_string, *message.args, **message.kwargs)
    return own


def _clone(field: serializers.Field, own_messages: bool) -> serializers.Field:
    """An unbound copy of a prototype field that shares its immutable configuration."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    if own_messages:
        clone._validators = [_own_message(validator) for validator in field._validators]
    return clone


_DEEP, _SHALLOW, _SHALLOW_OWN_MESSAGES = range(3)


class CachedFieldsModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that inspects its model once per class, not once per instance.

    DRF rebuilds every field from model introspection each time a serializer is instantiated (for a ticket
    with nested references that is most of an API write's CPU time). The built fields are stateless until
    bound, so each instance gets a deep copy of the class's prototype instead.
    """

    # (drf-spectacular shows the docstring above as the description of every serializer without one of
    # its own, so it is kept as it was; the details are here.)
    # A plain field is in fact copied shallowly: binding only sets the copy's own name, parent, label and
    # source, and what it shares with the prototype (choices, error messages, a related field's queryset,
    # which is cloned on use) is never changed afterwards. Validators are shared too, except those whose
    # message is a DRF lazy_format: that caches its first rendering, so a shared one would answer every
    # later request in the first caller's language; each copy gets its own. A field that holds other fields
    # (a nested serializer, a list's child) is deep-copied, since its children are bound to it. The
    # model-derived serializer validators (unique together, unique for date) are worked out once too.

    _field_prototypes: ClassVar[dict[type, dict[str, tuple[Any, int]]]] = {}
    _validator_prototypes: ClassVar[dict[type, list[Any]]] = {}

    def get_fields(self) -> dict[str, Any]:
        prototype = self._field_prototypes.get(type(self))
        if prototype is None:
            prototype = {}
            for name, field in super().get_fields().items():
                if _holds_fields(field):
                    prototype[name] = (field, _DEEP)
                else:
                    # The lazy list is worked out once, before the copies share it.
                    own = any(_formats_once(validator) for validator in field.validators)
                    prototype[name] = (field, _SHALLOW_OWN_MESSAGES if own else _SHALLOW)
            self._field_prototypes[type(self)] = prototype
        return {
            name: copy.deepcopy(field) if how == _DEEP else _clone(field, how == _SHALLOW_OWN_MESSAGES)
            for name, (field, how) in prototype.items()
        }

    def get_validators(self) -> list[Any]:
        validators = self._validator_prototypes.get(type(self))
        if validators is None:
            validators = super().get_validators()
            self._validator_prototypes[type(self)] = validators
        return list(validators)
