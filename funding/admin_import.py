"""Import/export integration for the admin (filled in by the import work)."""


class ProjectImportExportMixin:
    pass


class HolderImportExportMixin:
    pass
