"""Import and export in the admin: an Import button on the projects and holders lists
(upload, preview with counts and every error, confirm), an empty template to download,
and exports of the filtered list in the same format.

Built on django-import-export's admin views, forms and temporary storage; the rows go
through funding.resources to funding.services, the same code as the command line.
"""

import datetime
import json
import logging
import re

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm, ImportForm

from cooperatives.resources import HolderResource, HoldersCSV, HoldersXLSX
from funding import annotate, services, workbook
from funding.models import ImportBatch
from funding.resources import ProjectResource, WorkbookCSV, WorkbookXLSX
from indh_site.money import isolate
from indh_site.scoping import ALL, provinces_for

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A preview that is never confirmed leaves its upload behind; older ones are deleted.
TMP_FILE_MAX_AGE = datetime.timedelta(hours=6)
MAX_MESSAGES = 30
# The annotated workbook of a refused upload is asked for with a token naming the upload and its
# errors, signed with the user's id: nobody else can fetch it, nor any other file of the storage.
ANNOTATED_SALT = "funding.admin_import.annotated"
TMP_NAME = re.compile(r"[0-9a-f]{32}")  # MediaStorage and CacheStorage name files uuid4().hex


class WorkbookImportForm(ImportForm):
    """The library's upload form, refusing files over IMPORT_MAX_UPLOAD_BYTES up front."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            workbook.check_size(upload.size)
        except workbook.WorkbookError as exc:
            raise forms.ValidationError(exc.errors[0].message) from exc
        return upload


class WorkbookImportExportMixin(ImportExportMixin):
    """What the projects and holders admins share; see the two classes below."""

    import_template_name = "admin/funding/import.html"
    import_form_class = WorkbookImportForm
    # The format is fixed (it must import back): no choice of columns.
    export_form_class = ExportForm
    # Every imported row gets a historical record pointing at its ImportBatch: a LogEntry
    # per row would repeat that, at 10⁵ rows a time.
    skip_admin_log = True
    import_permission = None
    import_table = workbook.PROJECTS
    export_permission = None
    export_function = None
    template_function = None
    file_prefix = ""

    def get_import_formats(self):
        return self.import_formats_list

    def get_export_formats(self):
        return [base_formats.XLSX, base_formats.CSV]

    def has_import_permission(self, request):
        # A right of its own: viewing or changing the list does not give it.
        return request.user.has_perm(self.import_permission)

    def has_export_permission(self, request):
        return request.user.has_perm(self.export_permission)

    # --- the empty template ---------------------------------------------------------------
    def get_urls(self):
        info = self.get_model_info()
        own = [
            path(
                "import/template/",
                self.admin_site.admin_view(self.template_view),
                name="{}_{}_import_template".format(*info),
            ),
            path(
                "import/annotated/",
                self.admin_site.admin_view(self.annotated_view),
                name="{}_{}_import_annotated".format(*info),
            ),
        ]
        return own + super().get_urls()

    def template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        response = HttpResponse(self.template_function(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{self.file_prefix}-template.xlsx"'
        return response

    # --- upload and preview -----------------------------------------------------------------
    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, workbook.WorkbookError):
            for error in e.errors:
                form.add_error("import_file", str(error))
        else:
            logger.exception("Unexpected error while reading an uploaded file")
            form.add_error("import_file", _("This file cannot be read. Save it as .xlsx and try again."))

    def import_action(self, request, **kwargs):
        if request.method == "POST":
            self._sweep_tmp_files()
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        # The library names the stored copy on the uploaded file object itself.
        tmp_name = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        if tmp_name and "confirm_form" not in context:
            outcome = getattr(context.get("result"), "outcome", None)
            url = self._keep_for_annotation(request, tmp_name, outcome) if outcome is not None else None
            if url:
                # Refused for its rows: kept for the annotated workbook until swept with the others.
                context["annotated_url"] = url
            else:
                # Unreadable: nothing will be confirmed, so the upload goes now.
                self._remove_tmp_file(tmp_name)
        return response

    # --- the annotated workbook of a refused upload ---------------------------------------------
    def _keep_for_annotation(self, request, tmp_name, outcome):
        """Store the refused upload's errors beside it; the URL of its annotated workbook (or None)."""
        if outcome.ok or not TMP_NAME.fullmatch(tmp_name) or all(e.row is None for e in outcome.errors):
            return None
        notes = {
            "file_name": outcome.file_name,
            "sheet_name": outcome.sheet_name,
            "header_row": outcome.header_row,
            "unlisted": outcome.unlisted_errors,
            "errors": [[e.row, e.column, e.value, e.message] for e in outcome.errors],
        }
        storage = self._tmp_storage()
        try:
            storage.save(json.dumps(notes).encode())
        except (OSError, ValueError):
            logger.warning("Could not keep the errors of the refused import %s", tmp_name)
            return None
        token = signing.dumps(
            [request.user.pk, self.import_kind, tmp_name, storage.name], salt=ANNOTATED_SALT
        )
        info = self.get_model_info()
        url = reverse("admin:{}_{}_import_annotated".format(*info), current_app=self.admin_site.name)
        return f"{url}?file={token}"

    def annotated_view(self, request):
        """The refused upload of this user with its bad cells marked (funding.annotate)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        try:
            user_id, kind, upload, notes = signing.loads(
                request.GET.get("file", ""), salt=ANNOTATED_SALT, max_age=TMP_FILE_MAX_AGE
            )
        except (signing.BadSignature, ValueError, TypeError):
            raise Http404 from None
        if user_id != request.user.pk or kind != self.import_kind:
            raise Http404
        if not (isinstance(upload, str) and TMP_NAME.fullmatch(upload)) or not (
            isinstance(notes, str) and TMP_NAME.fullmatch(notes)
        ):
            raise Http404
        try:
            data = self._tmp_storage(upload).read()
            notes = json.loads(self._tmp_storage(notes).read())
        except (OSError, ValueError, TypeError):
            data = None
        if not data:
            messages.error(request, _("The uploaded file is no longer available: upload it again."))
            return HttpResponseRedirect(self._import_url())
        file_name = notes["file_name"]
        content = annotate.annotate_workbook(
            source=data,
            file_name=file_name,
            errors=[workbook.RowError(*error) for error in notes["errors"]],
            table=self.import_table,
            sheet_name=notes["sheet_name"],
            header_row=notes["header_row"],
            unlisted=notes["unlisted"],
        )
        stem = file_name.rsplit(".", 1)[0] or self.file_prefix
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=_("%(name)s-errors.xlsx") % {"name": stem}
        )
        return response

    def _tmp_storage(self, name=None):
        return self.get_tmp_storage_class()(name=name, read_mode="rb", **self.get_tmp_storage_class_kwargs())

    def _remove_tmp_file(self, name):
        try:
            self._tmp_storage(name).remove()
        except (OSError, ValueError):
            logger.warning("Could not remove the temporary import file %s", name)

    def _sweep_tmp_files(self):
        """Delete uploads of previews nobody confirmed (MediaStorage keeps them in a shared folder)."""
        storage = self._tmp_storage()
        files = getattr(storage, "_storage", None)
        folder = getattr(storage, "MEDIA_FOLDER", None)
        if files is None or folder is None:
            return  # other storages expire on their own (CacheStorage)
        limit = timezone.now() - TMP_FILE_MAX_AGE
        try:
            _dirs, names = files.listdir(folder)
            for name in names:
                full = f"{folder}/{name}"
                if files.get_modified_time(full) < limit:
                    files.delete(full)
        except (OSError, NotImplementedError):
            return

    # --- confirm --------------------------------------------------------------------------------
    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Import the file the preview showed, then delete it, whatever happens."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        import_url = self._import_url()
        form = self.create_confirm_form(request)
        formats = self.get_import_formats()
        if not form.is_valid() or not form.cleaned_data["format"].isdigit():
            messages.error(request, _("The import could not be confirmed: upload the file again."))
            return HttpResponseRedirect(import_url)
        index = int(form.cleaned_data["format"])
        input_format = formats[index]() if index < len(formats) else formats[0]()
        name = form.cleaned_data["import_file_name"]
        try:
            data = self._tmp_storage(name).read()
        except (OSError, ValueError):
            data = None
        if not data:
            # Already confirmed (a second click), or swept after being left too long.
            messages.error(request, _("The uploaded file is no longer available: upload it again."))
            return HttpResponseRedirect(import_url)
        try:
            try:
                dataset = input_format.create_dataset(data)
            except workbook.WorkbookError as exc:
                outcome = services.rejected_result(
                    kind=self.import_kind,
                    file_name=form.cleaned_data["original_file_name"],
                    errors=exc.errors,
                )
                return self._refused(request, outcome, import_url)
            result = self.process_dataset(dataset, form, request, **kwargs)
        finally:
            self._remove_tmp_file(name)
        return self.process_result(result, request)

    def process_result(self, result, request):
        if not result.outcome.ok:
            return self._refused(request, result.outcome, self._import_url())
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        outcome = result.outcome
        text = _(
            "%(file)s imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
            "%(skipped)s skipped."
        ) % {
            "file": isolate(outcome.file_name),  # a Latin file name inside an Arabic message
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "skipped": outcome.skipped,
        }
        if outcome.kind == ImportBatch.Kind.PROJECTS:
            # One message: the holders a workbook created or named are part of what it did.
            text += " " + _("Holders: %(created)s new, %(matched)s existing.") % {
                "created": outcome.holders_created,
                "matched": outcome.holders_matched,
            }
        messages.success(request, text)
        for warning in outcome.warnings:
            messages.warning(request, warning)
        for is_warning, message in services.total_line_messages(outcome.total_line):
            (messages.warning if is_warning else messages.info)(request, message)

    def _import_url(self):
        return reverse("admin:{}_{}_import".format(*self.get_model_info()), current_app=self.admin_site.name)

    def _refused(self, request, outcome, import_url):
        """Errors found only at confirmation (the data changed since the preview, another import running)."""
        messages.error(request, _("The import was refused and nothing was saved:"))
        for error in outcome.errors[:MAX_MESSAGES]:
            messages.error(request, str(error))
        hidden = outcome.error_count - min(len(outcome.errors), MAX_MESSAGES)
        if hidden:
            messages.error(
                request,
                ngettext("… and %(count)s more error.", "… and %(count)s more errors.", hidden)
                % {"count": hidden},
            )
        return HttpResponseRedirect(import_url)

    # --- export ---------------------------------------------------------------------------------
    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        return self.export_function(queryset=queryset, fmt=file_format.get_extension())

    def get_valid_export_item_pks(self, request):
        """Rows picked by hand: the ids posted (the library would list every row of the table).
        export_action then keeps, among them, only the rows of the account's own list."""
        return [pk for pk in request.POST.getlist("export_items") if pk.isdigit()]

    def get_export_filename(self, request, queryset, file_format):
        return f"{self.file_prefix}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"


class ProjectImportExportMixin(WorkbookImportExportMixin):
    """For ProjectAdmin (first in its bases): import, export and template of the projects workbook."""

    resource_classes = [ProjectResource]
    import_formats_list = [WorkbookXLSX, WorkbookCSV]
    import_permission = "funding.import_project"
    export_permission = "funding.export_project"
    import_kind = "projects"
    export_function = staticmethod(services.export_projects)
    template_function = staticmethod(services.projects_template)
    file_prefix = "projects"


class HolderImportExportMixin(WorkbookImportExportMixin):
    """For HolderAdmin (first in its bases): import, export and template of the holders list."""

    resource_classes = [HolderResource]
    import_formats_list = [HoldersXLSX, HoldersCSV]
    import_permission = "cooperatives.import_holder"
    export_permission = "cooperatives.export_holder"
    import_kind = "holders"
    import_table = workbook.HOLDERS
    export_function = staticmethod(services.export_holders)
    template_function = staticmethod(services.holders_template)
    file_prefix = "holders"


# --- an import batch's counts -------------------------------------------------------------------
BATCH_COUNTS = ("created", "updated", "unchanged", "skipped")
# Kept for the whole file only: shown to whoever reads the whole file's counts.
PROJECTS_BATCH_COUNTS = ("holders_created", "holders_matched", "beyond_programme_rules")


def reads_whole_batch(batch, user):
    return provinces_for(user) is ALL or (batch.user_id is not None and batch.user_id == user.pk)


def batch_counts(batch, user):
    """The counts of ``batch`` that ``user`` may read, by name (None: not shown).

    An account of every province, and whoever ran the import, read the whole file's counts. Any
    other official reads the sum over their own provinces, so that an import touching another
    province says nothing of it; skipped lines (blank, totals) belong to no province and are not
    shown to them, nor anything of an import saved before counts were kept per province.
    """
    if reads_whole_batch(batch, user):
        return {name: getattr(batch, name) for name in BATCH_COUNTS}
    counts = dict.fromkeys(BATCH_COUNTS)
    if batch.province_counts:
        for name in BATCH_COUNTS[:3]:
            counts[name] = sum(
                batch.province_counts.get(str(province), {}).get(name, 0) for province in provinces_for(user)
            )
    return counts


def batch_count_columns(user):
    """The import batches list's count columns, as ``user`` may read them."""

    def column(name):
        def value(batch):
            return batch_counts(batch, user)[name]

        value.short_description = ImportBatch._meta.get_field(name).verbose_name
        return value

    return [column(name) for name in BATCH_COUNTS]


def batch_count_rows(batch, user):
    """(label, value) of each count ``user`` may read, for the batch's page."""
    counts = batch_counts(batch, user)
    names = BATCH_COUNTS
    if batch.kind == ImportBatch.Kind.PROJECTS:
        names += PROJECTS_BATCH_COUNTS
        whole = reads_whole_batch(batch, user)
        counts.update({name: getattr(batch, name) if whole else None for name in PROJECTS_BATCH_COUNTS})
    return [(ImportBatch._meta.get_field(name).verbose_name, counts[name]) for name in names]
