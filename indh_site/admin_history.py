"""The audit trail in the admin: who changed what, when, from which value to which.

django-simple-history records a full copy of a holder, project, partner line or disbursement at every save
or delete (admin, import, shell, command). These helpers turn consecutive copies into readable changes
(field, before, after) and show, for each change, its author and the import batch it came from.
A change made outside a web request (load_demo, a management command, the shell) has no author: it is shown
as such rather than guessed.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from indh_site.money import format_mad

# Bookkeeping columns every save touches: listing them would bury the real change.
NOT_AUDITED = ("created_at", "updated_at", "is_demo")

HISTORY_TYPES = {
    "+": pgettext_lazy("history action", "created"),
    "~": pgettext_lazy("history action", "changed"),
    "-": pgettext_lazy("history action", "deleted"),
}


def _display(field, value):
    if value is None or value == "":
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return format_mad(value)
    return str(value)


def record_changes(record):
    """[{field, old, new}] for one historical record, against the version before it.

    A creation lists every field that was filled in; a deletion lists nothing (the row as it was is the
    previous entry).
    """
    model = record.instance_type
    tracked = [f for f in model._meta.concrete_fields if f.name not in NOT_AUDITED and not f.primary_key]
    if record.history_type == "-":
        return []
    previous = record.prev_record if record.history_type == "~" else None
    changes = []
    for field in tracked:
        new = getattr(record, field.attname)
        old = getattr(previous, field.attname) if previous is not None else None
        if previous is not None and old == new:
            continue
        if previous is None and (new is None or new == ""):
            continue
        if field.is_relation:
            old = _related(field, old)
            new = _related(field, new)
        changes.append(
            {"field": field.verbose_name, "old": _display(field, old), "new": _display(field, new)}
        )
    return changes


def _related(field, pk):
    if pk is None:
        return None
    obj = field.related_model._default_manager.filter(pk=pk).first()
    return obj if obj is not None else f"#{pk}"


def annotate_records(records):
    """Set .audit_changes and .history_type_label on each record (for the history templates)."""
    for record in records:
        record.audit_changes = record_changes(record)
        record.history_type_label = HISTORY_TYPES.get(record.history_type, record.history_type)
    return records


class AuditedHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin with readable changes, the author, and the import batch of every entry."""

    object_history_template = "admin/audit/object_history.html"
    object_history_list_template = "admin/audit/object_history_list.html"

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .select_related("import_batch")
        )

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        annotate_records(historical_records)
