"""Shared fixtures: a small organisation like the demo's.

Factories are imported inside the fixtures so the pure tests (workflow, SLA engine) load no Django.
"""

import pytest


@pytest.fixture(autouse=True)
def _test_settings(request, tmp_path):
    if not request.config.pluginmanager.hasplugin("django"):
        return  # the pure tests run without Django (-p no:django)
    settings = request.getfixturevalue("settings")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "attachments"},
        },
    }
    settings.LANGUAGE_CODE = "en"
    settings.ITDESK_NUMBER_PATTERN = ""


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Nothing cached (a remembered count, say) outlives its test: the next one has other rows."""
    yield
    if request.config.pluginmanager.hasplugin("django"):
        from django.core.cache import cache

        cache.clear()


def _replay_data_migrations():
    """Run every ITDesk data migration again (they are idempotent) on the live app registry."""
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    done = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):  # dependency order
            if key in done or key[0] not in ITDESK_APPS:
                continue
            done.add(key)
            for operation in loader.disk_migrations[key].operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, None)


ITDESK_APPS = {"core", "accounts", "tickets", "sla", "notifications"}


@pytest.fixture(autouse=True)
def _data_from_migrations(request):
    """Transactional tests flush every table afterwards, data from migrations included: put it back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        _replay_data_migrations()


@pytest.fixture
def service_desk(db):
    from tests.factories import SupportGroupFactory

    return SupportGroupFactory(code="service-desk", name="Service desk", is_first_line=True)


@pytest.fixture
def network_group(db):
    from tests.factories import SupportGroupFactory

    return SupportGroupFactory(code="network", name="Network")


@pytest.fixture
def alice(db):
    from tests.factories import UserFactory

    return UserFactory(username="alice", display_name="Alice Wang", phone="13800000001")


@pytest.fixture
def bob(db):
    from tests.factories import UserFactory

    return UserFactory(username="bob", display_name="Bob Li")


@pytest.fixture
def agent1(service_desk):
    from tests.factories import UserFactory, member

    return member(UserFactory(username="agent1", role="agent"), service_desk, "L1")


@pytest.fixture
def agent2(network_group):
    from tests.factories import UserFactory, member

    return member(UserFactory(username="agent2", role="agent"), network_group, "L2")


@pytest.fixture
def lead1(service_desk):
    from tests.factories import UserFactory, member

    return member(UserFactory(username="lead1", role="lead"), service_desk, "L3")


@pytest.fixture
def manager1(db):
    from tests.factories import UserFactory

    return UserFactory(username="manager1", role="approver")


@pytest.fixture
def auditor(db):
    from tests.factories import UserFactory

    return UserFactory(username="auditor1", role="auditor")
