"""What every audited change records beyond django-simple-history's who/when/what."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditedChange(models.Model):
    """Abstract base of every historical model.

    A change made by an import points at its batch, so an official can go from
    "the import of bilan-2025.xlsx" to the exact rows it touched.
    """

    import_batch = models.ForeignKey(
        "funding.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import batch"),
        db_constraint=False,
    )

    class Meta:
        abstract = True
