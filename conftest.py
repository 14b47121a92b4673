"""Shared fixtures for the whole suite."""

import pytest


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, so no figure computed by an earlier test is served."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_user(django_user_model):
    """A superuser: the admin's every page is open to it."""
    return django_user_model.objects.create_superuser(username="official", password="s3cret-pass", email="")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for a test class, in a transaction rolled back after its last test.

    Each test still runs in its own savepoint, so what a test adds is gone for the next one.
    """
    import io

    from django.core.management import call_command
    from django.db import transaction
    from django.test import TestCase

    with django_db_blocker.unblock(), transaction.atomic():
        # The demo's after-commit work (the time of the last change) runs as if it had committed.
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_data(db, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrated data (reference data, groups) when it ends.

    A transactional test empties every table when it finishes. Without serialized rollback, the
    reference data loaded by migrations would be gone for the tests after it, and the content
    types Django recreates get new ids that clash with the serialized copy other tests restore.
    One rule for the whole suite keeps every test independent of the order they run in.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker is not None
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            item.add_marker(
                pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False
            )
        elif {"transactional_db", "live_server"} & set(item.fixturenames) and (
            "django_db_serialized_rollback" not in item.fixturenames
        ):
            item.fixturenames.append("django_db_serialized_rollback")


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request leaves its own (/ar/…) active in the
    thread, and reverse() of a public page would otherwise carry the previous test's prefix."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pytest_terminal_summary(terminalreporter):
    """Say how many tests SQLite skipped because they need PostgreSQL, and how to run them."""
    skipped = terminalreporter.stats.get("skipped", [])
    needs_postgres = [r for r in skipped if "PostgreSQL" in str(r.longrepr)]
    if needs_postgres:
        terminalreporter.write_line(
            f"{len(needs_postgres)} tests need PostgreSQL and were skipped; run them with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/indh make test",
            yellow=True,
        )
