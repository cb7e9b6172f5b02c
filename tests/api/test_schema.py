"""The OpenAPI description of the API."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_lists_every_endpoint(schema):
    assert {
        "/api/v1/auth/token/": {"post"},
        "/api/v1/tickets/": {"get", "post"},
        "/api/v1/tickets/{number}/": {"get", "patch"},
        "/api/v1/tickets/{number}/transition/": {"post"},
        "/api/v1/tickets/{number}/comments/": {"get", "post"},
        "/api/v1/tickets/{number}/events/": {"get"},
        "/api/v1/tickets/{number}/sla/": {"get"},
        "/api/v1/tickets/{number}/attachments/": {"get", "post"},
        "/api/v1/tickets/{number}/attachments/{attachment_id}/": {"get"},
        "/api/v1/tickets/{number}/attachments/{attachment_id}/download/": {"get"},
        "/api/v1/kb/articles/": {"get", "post"},
        "/api/v1/kb/articles/from-ticket/": {"post"},
        "/api/v1/kb/articles/{id}/": {"get", "patch"},
        "/api/v1/kb/articles/{id}/vote/": {"post"},
        "/api/v1/kb/articles/{id}/versions/": {"get"},
        "/api/v1/kb/articles/{id}/solved/": {"post"},
        "/api/v1/kb/articles/{id}/deflections/": {"post"},
        "/api/v1/search/": {"get"},
        "/api/v1/me/notification-preferences/": {"get", "put"},
        "/api/v1/tickets/{number}/notifications/": {"get"},
    } == {
        path: set(ops) - {"parameters"}
        for path, ops in schema["paths"].items()
        if path.startswith("/api/v1/")
    }


def test_the_ticket_carries_its_version_and_allowed_transitions(schema):
    ticket = schema["components"]["schemas"]["Ticket"]["properties"]
    assert ticket["version"]["type"] == "integer"
    assert "allowed_transitions" in ticket and "number" in ticket
    update = schema["components"]["schemas"]["PatchedTicketUpdateRequest"]["properties"]
    assert update["version"]["type"] == "integer"
    detail = schema["paths"]["/api/v1/tickets/{number}/"]["patch"]
    assert {"409", "428"} <= set(detail["responses"])
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in detail["parameters"])


def test_errors_are_documented_with_their_code(schema):
    error = schema["components"]["schemas"]["Error"]
    assert {"code", "detail"} <= set(error["required"])
    transition = schema["paths"]["/api/v1/tickets/{number}/transition/"]["post"]["responses"]
    for status in ("400", "403", "404", "409"):
        assert (
            transition[status]["content"]["application/json"]["schema"]["$ref"]
            == "#/components/schemas/Error"
        )


def test_list_filters_and_uploads_are_documented(schema):
    listing = schema["paths"]["/api/v1/tickets/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"status", "priority", "category", "group", "assignee", "requester", "queue", "ordering"} <= names
    upload = schema["paths"]["/api/v1/tickets/{number}/attachments/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    download = schema["paths"]["/api/v1/tickets/{number}/attachments/{attachment_id}/download/"]["get"]
    assert "application/octet-stream" in download["responses"]["200"]["content"]


def test_the_docs_page_is_served_without_a_cdn(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    assert b"cdn" not in response.content.lower()
