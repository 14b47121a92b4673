"""The page django-axes shows when an account is locked out after too many failed logins."""

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.template.response import TemplateResponse


def lockout_response(request, original_response=None, credentials=None):
    """An admin-styled page in the official's language, answered with 429 Too Many Requests."""
    cool_off = get_cool_off(request)
    context = {
        "title": "",
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return TemplateResponse(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429).render()
