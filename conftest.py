"""Shared fixtures for the whole suite."""

import pytest


@pytest.fixture
def staff_user(django_user_model):
    """A superuser: the admin's every page is open to it."""
    return django_user_model.objects.create_superuser(username="official", password="s3cret-pass", email="")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def demo_data(db):
    from django.core.management import call_command

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
