"""Request numbers: formats, widening past 999, and uniqueness under real concurrency."""

import threading
from datetime import datetime

import pytest
from django.db import connection, transaction

from itdesk.core.errors import ValidationFailed
from itdesk.core.models import Counter
from itdesk.core.numbering import allocate_number, validate_pattern
from itdesk.tickets import services
from itdesk.tickets.models import DeskSettings, Ticket

MAY_1 = datetime(2024, 5, 1, 10, 0)


@pytest.mark.django_db
def test_default_pattern_is_per_day():
    with transaction.atomic():
        assert allocate_number("IT{date:%Y%m%d}{seq:03d}", MAY_1) == "IT20240501001"
        assert allocate_number("IT{date:%Y%m%d}{seq:03d}", MAY_1) == "IT20240501002"
        assert allocate_number("IT{date:%Y%m%d}{seq:03d}", datetime(2024, 5, 2)) == "IT20240502001"


@pytest.mark.django_db
def test_monthly_pattern_from_the_seeds():
    with transaction.atomic():
        assert allocate_number("{date:%Y%m}-{seq:03d}", MAY_1) == "202405-001"
        assert allocate_number("{date:%Y%m}-{seq:03d}", datetime(2024, 5, 31)) == "202405-002"
        assert allocate_number("{date:%Y%m}-{seq:03d}", datetime(2024, 6, 1)) == "202406-001"


@pytest.mark.django_db
def test_sequence_past_999_widens_instead_of_colliding():
    Counter.objects.create(key="ticket:IT20240501", value=998)
    with transaction.atomic():
        numbers = [allocate_number("IT{date:%Y%m%d}{seq:03d}", MAY_1) for _ in range(3)]
    assert numbers == ["IT20240501999", "IT202405011000", "IT202405011001"]


@pytest.mark.django_db
def test_a_rolled_back_creation_leaves_no_gap(alice):
    first = services.create_ticket(actor=alice, title="one", description="x")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_ticket(actor=alice, title="two", description="x")
        raise RuntimeError("the caller's transaction fails")
    third = services.create_ticket(actor=alice, title="three", description="x")
    assert int(third.number[-3:]) == int(first.number[-3:]) + 1


@pytest.mark.django_db
def test_admin_configured_pattern_is_used(alice):
    before = services.create_ticket(actor=alice, title="printer", description="jam")
    assert before.number.startswith("IT")  # the default pattern, now held in the process cache
    desk = DeskSettings.load()
    desk.number_pattern = "{date:%Y%m}-{seq:03d}"
    desk.save()  # as the admin does: the next request must use the new pattern
    ticket = services.create_ticket(actor=alice, title="printer", description="jam")
    assert ticket.number.endswith("-001") and len(ticket.number) == 10


@pytest.mark.parametrize(
    "pattern", ["IT{date:%Y%m%d}", "{seq}{seq}", "IT{seq:03d}{date:%Y}", "{who}{seq}", "IT{date:%Y%m%d}{seq"]
)
def test_patterns_that_could_collide_are_refused(pattern):
    with pytest.raises(ValidationFailed):
        validate_pattern(pattern)


@pytest.mark.django_db(transaction=True)
def test_two_thousand_concurrent_creations_get_distinct_gap_free_numbers(alice, service_desk):
    threads, per_thread = 8, 250
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work():
        try:
            start.wait()
            for i in range(per_thread):
                ticket = services.create_ticket(actor=alice, title=f"concurrent {i}", description="load")
                with lock:
                    numbers.append(ticket.number)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors[:3]
    assert len(numbers) == len(set(numbers)) == threads * per_thread
    by_day: dict[str, list[int]] = {}
    for number in numbers:
        by_day.setdefault(number[:10], []).append(int(number[10:]))
    for seqs in by_day.values():  # gap-free within each day (a run may cross midnight)
        assert sorted(seqs) == list(range(min(seqs), min(seqs) + len(seqs)))
    assert min(min(s) for s in by_day.values()) == 1
    assert Ticket.objects.count() == threads * per_thread
