"""Small helpers shared by the API tests."""

TICKETS = "/api/v1/tickets/"


def ticket_url(number, tail=""):
    """The API address of a ticket (or of one of its sub-resources)."""
    return f"{TICKETS}{number}/{tail}"


def create(client, **data):
    """Create a ticket through the API and return the response body (asserting it worked)."""
    body = {"title": "VPN fails", "description": "Cannot connect since 9am", **data}
    response = client.post(TICKETS, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()
