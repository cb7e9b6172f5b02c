"""GET /api/v1/search/: ranked, paged, filtered by the caller, documented, errors with a code."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

SEARCH = "/api/v1/search/"


@pytest.fixture
def client_for(db):
    def make(user):
        token, _created = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


def test_search_returns_ranked_hits_with_snippets_and_links(corpus, client_for, bob):
    response = client_for(bob).get(SEARCH, {"q": "VPN连接失败"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    kinds = {(hit["kind"], hit["number"]) for hit in body["results"]}
    assert kinds == {("article", ""), ("ticket", corpus["vpn"].number)}
    ticket = next(hit for hit in body["results"] if hit["kind"] == "ticket")
    assert ticket["id"] == corpus["vpn"].pk
    assert ticket["url"] == f"/portal/{corpus['vpn'].number}/"
    assert ticket["title_html"] == "<mark>VPN连接失败</mark>"
    assert "<mark>VPN</mark>" in ticket["snippet"]
    assert ticket["internal"] is False


def test_kind_filters_results(corpus, client_for, agent1):
    body = client_for(agent1).get(SEARCH, {"q": "VPN", "kind": "ticket"}).json()
    assert [hit["kind"] for hit in body["results"]] == ["ticket"]
    body = client_for(agent1).get(SEARCH, {"q": "VPN", "kind": "article,ticket"}).json()
    assert body["count"] == 3


def test_results_are_paged(corpus, client_for, agent1):
    first = client_for(agent1).get(SEARCH, {"q": "打印", "page_size": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2
    assert first["previous"] is None and "page=2" in first["next"]
    last = client_for(agent1).get(SEARCH, {"q": "打印", "page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    client = client_for(agent1)
    pages = [client.get(SEARCH, {"q": "打印", "page_size": 2, "page": page}).json() for page in (1, 2, 3)]
    seen = [(hit["kind"], hit["id"]) for page in pages for hit in page["results"]]
    assert len(seen) == len(set(seen)) == 5


def test_a_requester_sees_only_their_own_and_public_counts(corpus, client_for, bob):
    body = client_for(bob).get(SEARCH, {"q": "打印"}).json()
    assert body["count"] == 2
    assert {hit["kind"] for hit in body["results"]} == {"article"}
    assert client_for(bob).get(SEARCH, {"q": corpus["jam"].number}).json() == {
        "count": 0,
        "count_capped": False,
        "next": None,
        "previous": None,
        "results": [],
    }


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "query_required"),
        ({"q": "   "}, "query_required"),
        ({"q": "x" * 201}, "query_too_long"),
        ({"q": "打印", "kind": "nonsense"}, "unknown_kind"),
        ({"q": "打印", "page": "0"}, "invalid"),
    ],
)
def test_bad_requests_are_refused_with_a_code(corpus, client_for, agent1, params, code):
    response = client_for(agent1).get(SEARCH, params)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_search_needs_credentials(db):
    response = APIClient().get(SEARCH, {"q": "打印"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_search_is_in_the_openapi_schema(db, client_for, agent1):
    schema = client_for(agent1).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "kind", "page", "page_size"} <= names
    assert set(operation["responses"]) >= {"200", "400", "401"}
