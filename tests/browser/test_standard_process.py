"""The standard process walked in a real browser (Debian chromium driven by Playwright), as people would."""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from itdesk.tickets.models import Ticket
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls the test makes between pages are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser-deps)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path):
    """Save a screenshot in the test's folder and, when ITDESK_SCREENSHOT_DIR is set, there too (docs/)."""
    target = os.environ.get("ITDESK_SCREENSHOT_DIR")

    def take(page: Page, name: str) -> None:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(target) / f"{name}.png")

    return take


def sign_in(browser, live_server, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US").new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    return page


def open_ticket_from_queue(page: Page, live_server, queue: str, number: str) -> None:
    page.goto(f"{live_server.url}/desk/?queue={queue}")
    page.get_by_role("link", name=number).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("VPN")


def move(page: Page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).first.click()


def test_a_request_goes_from_the_portal_through_two_groups_to_resolved(
    browser, live_server, alice, agent1, agent2, network_group, shots
):
    # alice asks for help in the portal.
    portal = sign_in(browser, live_server, "alice")
    portal.get_by_role("link", name="New request").first.click()
    portal.get_by_label("Title").fill("VPN 连接失败 — cannot reach the intranet")
    portal.get_by_label("Description").fill(
        "Since this morning the VPN client says 'authentication timeout'."
    )
    portal.get_by_label("What have you already tried?").fill("Restarted the laptop and the VPN client.")
    portal.locator("input[type=file]").set_input_files(
        files=[{"name": "vpn-error.txt", "mimeType": "text/plain", "buffer": b"error 809: timeout"}]
    )
    shots(portal, "portal-new-request")
    portal.get_by_role("button", name="Submit request").click()
    ticket = Ticket.objects.get(requester=alice)
    expect(portal.locator("body")).to_contain_text(ticket.number)
    expect(portal.locator("body")).to_contain_text("30 minutes")  # the expected response time of P3

    # agent1 (first line) acknowledges, diagnoses and escalates to the network group.
    desk = sign_in(browser, live_server, "agent1")
    open_ticket_from_queue(desk, live_server, "new", ticket.number)
    move(desk, "Acknowledge")
    expect(desk.locator("body")).to_contain_text("Status changed")
    move(desk, "Start diagnosis")
    expect(desk.locator(".badge, .status").first).to_contain_text("Diagnosing")
    desk.locator("summary", has_text="Escalate").click()
    escalate = desk.locator("form.move-form", has=desk.locator("input[name=to][value=escalated]"))
    escalate.get_by_label("Group").select_option(label="Network")
    escalate.locator("textarea[name=note]").fill(
        "Authentication timeouts from the VPN concentrator; needs L2 network."
    )
    escalate.get_by_role("button", name="Escalate").click()
    expect(desk.locator("body")).to_contain_text("Escalated")
    shots(desk, "desk-ticket-escalated")

    # agent2 (network, L2) finds it in the group's queue and resolves it.
    specialist = sign_in(browser, live_server, "agent2")
    specialist.goto(f"{live_server.url}/desk/?queue=group")
    expect(specialist.get_by_role("link", name=ticket.number).first).to_be_visible()
    shots(specialist, "desk-queue")
    open_ticket_from_queue(specialist, live_server, "group", ticket.number)
    specialist.locator("summary", has_text="Resolve").click()
    resolve = specialist.locator("form.move-form", has=specialist.locator("input[name=to][value=resolved]"))
    resolve.locator("textarea[name=resolution]").fill(
        "Renewed the expired VPN certificate on the concentrator."
    )
    resolve.get_by_role("button", name="Resolve").click()
    expect(specialist.locator("body")).to_contain_text("Resolved")

    # alice sees her request resolved, with the resolution, and not the internal handover.
    portal.goto(f"{live_server.url}/portal/{ticket.number}/")
    expect(portal.locator("body")).to_contain_text("Resolved")
    expect(portal.locator("body")).to_contain_text("Renewed the expired VPN certificate")
    expect(portal.locator("body")).not_to_contain_text("VPN concentrator; needs L2")
    expect(portal.get_by_role("button", name="Confirm resolved")).to_be_visible()
    shots(portal, "portal-request-resolved")

    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.group == network_group
    statuses = list(ticket.events.filter(kind="status").values_list("new_value", flat=True))
    assert statuses == ["acknowledged", "diagnosing", "escalated", "resolved"]
    assert ticket.attachments.get().filename == "vpn-error.txt"
