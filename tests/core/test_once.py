"""core.once.create_once: a duplicate is refused and the caller's transaction carries on to commit."""

import pytest
from django.db import transaction

from itdesk.core.models import Counter
from itdesk.core.once import create_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_duplicate_is_none_and_the_rest_of_the_transaction_commits():
    with transaction.atomic():
        first = create_once(Counter, key="once:a", value=1)
        again = create_once(Counter, key="once:a", value=2)
        other = create_once(Counter, key="once:b", value=3)  # work after the refused insert
    assert first is not None and again is None and other is not None
    assert dict(Counter.objects.filter(key__startswith="once:").values_list("key", "value")) == {
        "once:a": 1,
        "once:b": 3,
    }


def test_outside_a_transaction_too():
    assert create_once(Counter, key="once:c", value=1) is not None
    assert create_once(Counter, key="once:c", value=2) is None
    assert Counter.objects.get(key="once:c").value == 1
