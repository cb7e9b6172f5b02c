"""Uploading and downloading attachments."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .helpers import create, ticket_url

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _upload(client, number, name, content, **extra):
    return client.post(
        ticket_url(number, "attachments/"),
        {"file": SimpleUploadedFile(name, content), **extra},
        format="multipart",
    )


@pytest.mark.django_db
def test_upload_then_download_with_safe_headers(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    response = _upload(client, number, "vpn.log", b"error 809\n")
    assert response.status_code == 201
    meta = response.json()
    assert meta["filename"] == "vpn.log"
    assert meta["size"] == 10
    assert meta["internal"] is False
    assert meta["uploaded_by"]["username"] == "alice"

    assert client.get(ticket_url(number, f"attachments/{meta['id']}/")).json()["sha256"] == meta["sha256"]
    listed = client.get(ticket_url(number, "attachments/")).json()["results"]
    assert [a["id"] for a in listed] == [meta["id"]]

    download = client.get(meta["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"error 809\n"
    assert download["Content-Disposition"] == "attachment; filename=\"vpn.log\"; filename*=UTF-8''vpn.log"
    assert download["X-Content-Type-Options"] == "nosniff"
    # A .log file is not a type the browser may be told about: it is just bytes.
    assert download["Content-Type"] == "application/octet-stream"


@pytest.mark.django_db
def test_images_keep_their_type_and_odd_names_are_encoded(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    meta = _upload(client, number, 'screen "shot" 截图.png', PNG).json()
    download = client.get(meta["download_url"], HTTP_ACCEPT="image/png")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    disposition = download["Content-Disposition"]
    assert disposition.startswith('attachment; filename="screen _shot_ __.png"; ')
    assert disposition.endswith("filename*=UTF-8''screen%20%22shot%22%20%E6%88%AA%E5%9B%BE.png")


@pytest.mark.django_db
def test_markup_is_never_served_as_markup(alice, agent1, client_for, settings):
    settings.ITDESK_ATTACHMENT_EXTENSIONS = [*settings.ITDESK_ATTACHMENT_EXTENSIONS, "html"]
    client = client_for(alice)
    number = create(client)["number"]
    meta = _upload(client, number, "page.html", b"<script>alert(1)</script>").json()
    download = client.get(meta["download_url"])
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
def test_refused_types(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    for name in ("setup.exe", "run.sh", "noextension"):
        response = _upload(client, number, name, b"MZ...")
        assert response.status_code == 400, name
        assert response.json()["code"] == "file_type_not_allowed"
    assert client.get(ticket_url(number, "attachments/")).json()["count"] == 0


@pytest.mark.django_db
def test_refused_sizes(alice, client_for, settings):
    settings.ITDESK_ATTACHMENT_MAX_BYTES = 1024
    client = client_for(alice)
    number = create(client)["number"]
    response = _upload(client, number, "big.txt", b"x" * 1025)
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert _upload(client, number, "fits.txt", b"x" * 1024).status_code == 201
    assert _upload(client, number, "empty.txt", b"").json()["code"] == "file_empty"


@pytest.mark.django_db
def test_a_missing_file_is_invalid(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    response = client.post(ticket_url(number, "attachments/"), {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "file" in response.json()["fields"]


@pytest.mark.django_db
def test_internal_attachments_are_for_the_desk_only(alice, agent1, client_for):
    requester, desk = client_for(alice), client_for(agent1)
    number = create(requester)["number"]
    meta = _upload(desk, number, "diagnosis.txt", b"cert expired", internal=True).json()
    assert meta["internal"] is True
    assert desk.get(meta["download_url"]).status_code == 200

    assert requester.get(ticket_url(number, "attachments/")).json()["count"] == 0
    for url in (ticket_url(number, f"attachments/{meta['id']}/"), meta["download_url"]):
        response = requester.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    events = requester.get(ticket_url(number, "events/")).json()["results"]
    assert "diagnosis.txt" not in str(events)

    response = _upload(requester, number, "mine.txt", b"x", internal=True)
    assert response.status_code == 403
    assert response.json()["code"] == "field_not_allowed"


@pytest.mark.django_db
def test_another_requesters_attachment_is_404(alice, bob, client_for):
    bobs = client_for(bob)
    number = create(bobs)["number"]
    meta = _upload(bobs, number, "bob.txt", b"private").json()
    alices = client_for(alice)
    for url in (
        ticket_url(number, f"attachments/{meta['id']}/"),
        meta["download_url"],
        ticket_url(number, "attachments/"),
    ):
        response = alices.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    response = _upload(alices, number, "alice.txt", b"x")
    assert response.status_code == 404
    # The same attachment id under alice's own ticket is not a way around it either.
    own = create(alices)["number"]
    assert alices.get(ticket_url(own, f"attachments/{meta['id']}/download/")).status_code == 404


@pytest.mark.django_db
def test_a_file_missing_from_storage_is_404_not_a_crash(alice, client_for):
    from itdesk.tickets.models import Attachment

    client = client_for(alice)
    number = create(client)["number"]
    meta = _upload(client, number, "gone.txt", b"x").json()
    stored = Attachment.objects.get(pk=meta["id"])
    stored.file.storage.delete(stored.file.name)
    response = client.get(meta["download_url"])
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
