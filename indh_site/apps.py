"""Application configurations the project gives the third-party apps it installs."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    """django-axes, named in the official's language in the admin (by default the label: "Axes")."""

    verbose_name = _("Sign-in security")
