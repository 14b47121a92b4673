"""The audit trail in the admin: who changed what, when, from which value to which.

django-simple-history records a full copy of a holder, project, partner line or disbursement at every save
or delete (admin, import, shell, command). These helpers turn consecutive copies into readable changes
(field, before, after) and show, for each change, its author and the import batch it came from.
A change made outside a web request (load_demo, a management command, the shell) has no author: it is shown
as such rather than guessed.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import model_to_dict
from django.http import Http404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
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
    """SimpleHistoryAdmin with readable changes, the author, and the import batch of every entry.

    An old version's page is a revert only for an account that may change the object, and the revert is
    then the change form itself, filled in with the old version's values: the same permissions, provinces,
    status rule, partner lines and disbursements as any change, checked against the saved object. Anyone
    else (a read-only analyst, or anyone once the object is deleted) only reads the version.
    """

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

    # --- the history pages ----------------------------------------------------------------------
    def history_view(self, request, object_id, extra_context=None):
        checked_id = self._checked_object_id(object_id)
        extra_context = {**self.history_context(request, checked_id), **(extra_context or {})}
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_context(self, request, object_id):
        """More context for the history page of `object_id` (a well-formed id, within the provinces)."""
        return {}

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        object_id = self._checked_object_id(object_id)
        version = self._version(object_id, version_id)
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_change_permission(request, obj):
            return self._revert_view(request, obj, version, extra_context)
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        request._history_read_only = True
        # The page speaks of the model ("projects"), not of its historical table ("historical projects").
        extra_context = {"opts": self.model._meta, **(extra_context or {})}
        return super().history_form_view(request, object_id, version.pk, extra_context=extra_context)

    def _checked_object_id(self, object_id):
        """The object id of a history address, or 404 when it cannot be one (/history/abc/)."""
        object_id = unquote(object_id)
        _check_value(self.model._meta.pk, object_id)
        return object_id

    def _version(self, object_id, version_id):
        """The historical record `version_id` of the object, or 404 (/history/1.5/, another object's)."""
        history = self.model._meta.simple_history_manager_attribute
        history_model = getattr(self.model, history).model
        version_id = _check_value(history_model._meta.pk, version_id)
        try:
            return history_model.objects.get(**{self.model._meta.pk.attname: object_id, "pk": version_id})
        except history_model.DoesNotExist:
            raise Http404 from None

    def _revert_view(self, request, obj, version, extra_context):
        opts = self.model._meta
        if request.method in ("GET", "HEAD"):
            request._revert_to = version
            messages.info(
                request,
                gettext(
                    "This form is filled in with the version of %(date)s. Saving it is a change like any "
                    "other, checked by the same rules against the current data."
                )
                % {"date": date_format(localtime(version.history_date), "d/m/Y H:i")},
            )
        context = {"title": gettext("Revert %s") % obj, **(extra_context or {})}
        # The form is sent to the change page: once filled in, a revert is nothing but a change.
        change_url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
        )
        return self.changeform_view(request, str(obj.pk), form_url=change_url, extra_context=context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        version = getattr(request, "_revert_to", None)
        if version is None:
            return form
        return _prefilled(form, model_to_dict(version.instance, fields=list(form.base_fields)))

    def get_readonly_fields(self, request, obj=None):
        if getattr(request, "_history_read_only", False):
            return flatten_fieldsets(self.get_fieldsets(request, obj))
        return super().get_readonly_fields(request, obj)

    def revert_disabled(self, request, obj=None):
        return getattr(request, "_history_read_only", False) or super().revert_disabled(request, obj)


def _check_value(field, value):
    """`value` as `field` holds it, or 404 when it cannot be one: not a number, or beyond the column's range
    (which SQLite reports as an OverflowError rather than "no such row")."""
    try:
        value = field.to_python(value)
        field.run_validators(value)
    except ValidationError:
        raise Http404 from None
    return value


def _prefilled(form_class, values):
    """`form_class` whose blank (GET) form shows `values`; a posted form is compared with the saved object."""

    class RevertForm(form_class):
        def __init__(self, *args, **kwargs):
            if not args and kwargs.get("data") is None:
                kwargs["initial"] = {**values, **(kwargs.get("initial") or {})}
            super().__init__(*args, **kwargs)

    RevertForm.__name__ = form_class.__name__
    return RevertForm
