"""django-import-export's side of the holders list (see funding/resources.py)."""

from django.utils.translation import gettext_lazy as _

from funding import services
from funding.resources import WorkbookCSV, WorkbookResource, WorkbookXLSX
from funding.workbook import HOLDERS


class HoldersXLSX(WorkbookXLSX):
    table = HOLDERS


class HoldersCSV(WorkbookCSV):
    table = HOLDERS


class HolderResource(WorkbookResource):
    table = HOLDERS

    class Meta:
        name = _("Holders list")

    def rows(self, queryset):
        return services.holder_rows(queryset)
