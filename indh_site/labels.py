"""Reference data carries its names in French, Arabic and (where given) English."""

import unicodedata

from django.db import models
from django.db.models import Case, F, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# What a reader of Arabic does not tell apart when looking a name up in a list: the hamza's seat
# (NFKD takes أ إ آ to ا), the final tāʾ marbūṭa and alif maqṣūra, the tatweel.
_ARABIC_FOLDS = str.maketrans({"ة": "ه", "ى": "ي", "ـ": None})
# The catch-all row of a reference list ("Other", «أخرى») comes last in any language.
CATCH_ALL_CODE = "other"


def name_language(language=None):
    """The two-letter language whose names are shown: ``ar``, ``fr`` or ``en`` (French otherwise)."""
    language = (language or get_language() or "fr")[:2]
    return language if language in ("ar", "fr", "en") else "fr"


def sort_key(text, language=None, *, code=None):
    """A key sorting names as a reader expects: accents, case and short vowels ignored.

    Python compares code points, which puts "Élevage" after "Transport" and «أخرى» apart from
    «اتحاد»; this folds them first, then breaks ties on the exact text. ``code`` is the row's
    reference code, so that the catch-all row goes last.
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in folded if not unicodedata.combining(char)).casefold()
    if name_language(language) == "ar":
        folded = folded.translate(_ARABIC_FOLDS)
    return code == CATCH_ALL_CODE, folded, text


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

    @classmethod
    def label_ordering(cls, language=None):
        """``order_by`` arguments listing rows by their label in ``language`` (the active one by default).

        For the admin's lists, list filters and choices; an empty name falls back to French, as ``label``.
        """
        column = f"name_{name_language(language)}"
        name = F("name_fr") if column == "name_fr" else Coalesce(NullIf(column, models.Value("")), "name_fr")
        catch_all_last = Case(When(code=CATCH_ALL_CODE, then=1), default=0)
        return [catch_all_last.asc(), name.asc(), "code"]
