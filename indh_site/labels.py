"""Reference data carries its names in French, Arabic and (where given) English."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class MultilingualName(models.Model):
    """Abstract base for reference tables: a stable code and a name per language.

    ``label`` is the name in the active language, falling back to French, the
    administration's reference language, when a translation is missing.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.label

    @property
    def label(self):
        return self.label_in(get_language())

    def label_in(self, language):
        language = (language or "fr")[:2]
        return getattr(self, f"name_{language}", "") or self.name_fr
