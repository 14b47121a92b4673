from django.conf import settings
from django.utils.translation import get_language_bidi


def site(request):
    """What every page's base template needs: text direction and the admin's address."""
    return {
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "admin_url": "/" + settings.ADMIN_URL,
    }
