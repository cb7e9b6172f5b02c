"""core.versioned: rows every write reads, cached per process and retired by a change in any process."""

import pytest
from django.db import transaction

from itdesk.core.models import Counter
from itdesk.core.versioned import VersionedCache

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cache():
    builds = []

    def build():
        builds.append(len(builds) + 1)
        return f"build {len(builds)}"

    return VersionedCache("test:versioned", build), builds


def test_a_value_is_built_once_while_nothing_changes(cache, django_assert_max_num_queries):
    versioned, builds = cache
    assert versioned.get() == "build 1"
    with django_assert_max_num_queries(1):  # the token, nothing else
        assert versioned.get() == "build 1"
    assert builds == [1]


def test_a_change_saved_by_another_process_is_seen_on_the_next_use(cache):
    versioned, _builds = cache
    assert versioned.get() == "build 1"
    # Another process changed the rows: it gave the counter row a new token, this process knows nothing.
    Counter.objects.update_or_create(key="test:versioned", defaults={"value": 12345})
    assert versioned.get() == "build 2"
    assert versioned.get() == "build 2"


def test_a_rolled_back_change_leaves_no_token_anyone_holds(cache):
    versioned, _builds = cache
    versioned.changed()
    assert versioned.get() == "build 1"
    with pytest.raises(RuntimeError), transaction.atomic():
        versioned.changed()
        assert versioned.get() == "build 2"  # built inside the edit, under the edit's token
        raise RuntimeError("the edit fails")
    # The token went back with the rollback, so the copy built under the edit's token is not trusted.
    assert versioned.get() == "build 3"


@pytest.fixture
def in_request():
    from django.core.signals import request_finished, request_started

    request_started.send(sender=None)
    yield
    request_finished.send(sender=None)


def test_in_a_request_the_tokens_of_every_cache_are_read_in_one_query(
    cache, in_request, django_assert_num_queries
):
    versioned, builds = cache
    other = VersionedCache("test:versioned-other", lambda: "other")
    with django_assert_num_queries(1):
        assert versioned.get() == "build 1"
        assert other.get() == "other"
        assert versioned.get() == "build 1"
    assert builds == [1]


def test_a_transaction_sees_what_was_committed_before_it_began(cache, in_request):
    versioned, _builds = cache
    assert versioned.get() == "build 1"  # the request's snapshot, read outside any transaction
    # Another process commits a change now.
    Counter.objects.update_or_create(key="test:versioned", defaults={"value": 777})
    assert versioned.get() == "build 1"  # still the same moment, outside a transaction
    with transaction.atomic():
        assert versioned.get() == "build 2"  # a write reads afresh


def test_a_request_that_changes_a_row_reads_each_token_again(cache, in_request, django_assert_num_queries):
    versioned, _builds = cache
    assert versioned.get() == "build 1"
    with pytest.raises(RuntimeError), transaction.atomic():
        versioned.changed()
        assert versioned.get() == "build 2"
        raise RuntimeError("the edit fails")
    assert versioned.get() == "build 3"  # the rolled-back token is not trusted, as outside a request
    with django_assert_num_queries(1):
        versioned.get()


def test_outside_a_request_each_use_reads_its_token(cache, django_assert_num_queries):
    versioned, _builds = cache
    versioned.get()
    with django_assert_num_queries(2):
        versioned.get()
        versioned.get()
