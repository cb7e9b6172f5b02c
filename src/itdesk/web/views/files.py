"""Attachment downloads: only through this access-checked view, always as a download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from itdesk.core.errors import NotFound
from itdesk.tickets import selectors


@login_required
def download(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    """Send a file the user may see as a download that the browser will not render or sniff."""
    try:
        attachment = selectors.get_attachment(request.user, number, attachment_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
