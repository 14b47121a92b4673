"""Every date field of the admin says how to write it: day first, dd/mm/yyyy, in every language.

The formats themselves (what is accepted, how a date is shown) are in indh_site/formats/; this adds
the hint an official sees next to the field: a placeholder and a help text.
"""

from django import forms
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

DATE_PLACEHOLDER = _("dd/mm/yyyy")
DATE_HELP_TEXT = _("Day first: dd/mm/yyyy, for example 15/03/2025 (also 15-03-2025 or 2025-03-15).")
DATE_INVALID = _("Enter a valid date, day first: dd/mm/yyyy, for example 15/03/2025.")


def add_date_hint(formfield):
    """Put the placeholder on the date input (the date half of a date-and-time), the help text, and
    an error that says the expected form (Django's "Enter a valid date." does not)."""
    if isinstance(formfield, forms.SplitDateTimeField):
        formfield.error_messages["invalid_date"] = DATE_INVALID
    elif isinstance(formfield, forms.DateField):
        formfield.error_messages["invalid"] = DATE_INVALID
    widget = formfield.widget
    date_widget = widget.widgets[0] if hasattr(widget, "widgets") else widget
    date_widget.attrs.setdefault("placeholder", DATE_PLACEHOLDER)
    if formfield.help_text:
        formfield.help_text = format_lazy("{} {}", formfield.help_text, DATE_HELP_TEXT)
    else:
        formfield.help_text = DATE_HELP_TEXT
    return formfield


class DateFormatHintMixin:
    """For a ModelAdmin or an inline: its editable date (and date-and-time) fields carry the hint."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models.DateField):
            add_date_hint(formfield)
        return formfield
