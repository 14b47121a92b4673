"""The roles of the application (auth groups made by cooperatives/migrations/0005_roles.py) and the one
rule about project statuses that goes beyond Django's add/change/delete/view permissions."""

from django.utils.translation import gettext_lazy as _

DATA_ENTRY_OFFICER = "Data-entry officer"
VALIDATOR = "Validator"
ANALYST = "Read-only analyst"

VALIDATE_PERMISSION = "funding.validate_project"

# Setting one of these is a decision, not data entry: only a validator (or a superuser) takes it.
VALIDATED_STATUSES = frozenset({"approved", "completed", "cancelled"})

STATUS_REFUSED_MESSAGE = _(
    "Only a validator can set a project to approved, completed or cancelled. "
    "Keep the current status and ask a validator to change it."
)


def may_set_status(user, status, previous=None):
    """Whether `user` may give a project `status` (keeping the status it already had is always allowed)."""
    if status == previous or status not in VALIDATED_STATUSES:
        return True
    return user is not None and user.has_perm(VALIDATE_PERMISSION)
