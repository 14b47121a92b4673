"""Checking the rows of an import and writing them: the rules of import-format.md.

funding/workbook.py has read the file; here each row is parsed (references matched in
memory), checked against the database (existing projects and holders, loaded once) and
planned as a create, an update or nothing; then everything is written in bulk
(funding/bulk_writes.py), with one historical record per written row pointing at the
import's batch.
funding/services.py runs these steps in one transaction.
"""

import datetime
from collections import namedtuple
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperatives.duplicates import duplicate_key
from cooperatives.models import Commune, Holder, HolderAlias, HolderType, Sector
from funding import bulk_writes, quality, workbook
from funding.models import (
    FIRST_YEAR,
    SHARES_TOLERANCE,
    Disbursement,
    PartnerContribution,
    Programme,
    Project,
    ProjectStatus,
)
from funding.workbook import HOLDER_TYPE_NAMES, STATUS_NAMES, CellError, RowError
from indh_site.money import format_mad, isolate
from indh_site.roles import STATUS_REFUSED_MESSAGE, may_set_status
from indh_site.scoping import out_of_scope_communes

DEFAULT_PROGRAMME = "P3"
# A file with every row wrong would list 17 errors per row; the first thousand are
# enough to fix the sheet, the rest are counted.
MAX_LISTED_ERRORS = 1000
PREVIEW_ROWS = 20
# New holders the preview lists, so that a misspelt existing one is caught before confirming.
NEW_HOLDERS_LISTED = 200
PROVINCE_COUNTS = ("created", "updated", "unchanged")
# New projects sent to the writer thread at a time: each batch costs a few statements (about
# 15 ms with their round trips), so 2,000 made the writer 1.5 s slower for 10⁵ rows than 10,000;
# a smaller batch starts sooner and leaves less to write once the last row is checked.
STREAM_BATCH = 5000
# The one message of a row outside the account's provinces, whatever put it there (its commune, a
# project code or a registration number of another province): it says nothing of that province.
OUTSIDE_SCOPE = gettext_lazy(
    "This row concerns a province your account does not work on: it cannot be imported from your account."
)

PROJECT_FIELDS = (
    "title",
    "holder_id",
    "sector_id",
    "commune_id",
    "programme_id",
    "year",
    "status",
    "total_cost",
    "indh_contribution",
    "partner_contribution",
    "holder_contribution",
    "agreement_signed_on",
    "jobs_created",
)
HOLDER_FIELDS = (
    "name",
    "holder_type",
    "registration_number",
    "commune_id",
    "main_sector_id",
    "created_on",
    "members_total",
    "members_women",
    "members_under_35",
)


class Errors:
    """Collects the errors of an import on its result (the first MAX_LISTED_ERRORS, all counted)."""

    def __init__(self, result):
        self.result = result

    def add(self, row, column, value, message):
        self.result.error_count += 1
        if len(self.result.errors) < MAX_LISTED_ERRORS:
            shown = "" if value is None else str(workbook.clean_text(value) or "")
            self.result.errors.append(RowError(row, column, shown, str(message)))

    def extend(self, errors):
        for error in errors:
            self.add(error.row, error.column, error.value, error.message)

    def __bool__(self):
        return bool(self.result.error_count)


# --- Reference data, in memory -------------------------------------------------------


def _label(names, english):
    language = (translation.get_language() or "fr")[:2]
    return {"fr": names[0], "ar": names[1]}.get(language, english)


class References:
    """Sectors, communes, programmes and the choices, matched by code or name (fr/ar/en)."""

    def __init__(self):
        with translation.override("en"):
            status_en = {value: str(label) for value, label in ProjectStatus.choices}
            type_en = {value: str(label) for value, label in HolderType.choices}
        self.statuses = workbook.Choices(
            (value, (value, *names, status_en[value]), _label(names, status_en[value]))
            for value, names in STATUS_NAMES.items()
        )
        self.holder_types = workbook.Choices(
            (value, (value, *names, type_en[value]), _label(names, type_en[value]))
            for value, names in HOLDER_TYPE_NAMES.items()
        )
        self.sectors = workbook.Choices(
            (sector.pk, (sector.code, sector.name_fr, sector.name_ar, sector.name_en), sector.label)
            for sector in Sector.objects.all()
        )
        communes = list(Commune.objects.select_related("province"))
        home = [commune.pk for commune in communes if commune.province.code in settings.HOME_PROVINCES]
        self.communes = workbook.Choices(
            (
                (commune.pk, (commune.code, commune.name_fr, commune.name_ar, commune.name_en), commune.label)
                for commune in communes
            ),
            preferred=home,
        )
        self.province_of_commune = {commune.pk: commune.province_id for commune in communes}
        programmes = list(Programme.objects.all())
        self.programmes = workbook.Choices(
            (
                programme.pk,
                (
                    programme.code,
                    programme.name_fr,
                    programme.name_ar,
                    programme.name_en,
                    *workbook.programme_aliases(programme.code),
                ),
                programme.code,  # "P1, P2, P3, P4" reads better in an error than the long names
            )
            for programme in programmes
        )
        self.default_programme_id = next((p.pk for p in programmes if p.code == DEFAULT_PROGRAMME), None)
        self.programme_rules = {
            p.pk: (p.max_indh_share, p.max_indh_amount) for p in programmes if p.has_rules
        }


def _text(max_length):
    def parse(value):
        text = workbook.clean_text(value)
        if len(text) > max_length:
            raise CellError(
                _("At most %(max)s characters (this one has %(length)s).")
                % {"max": max_length, "length": len(text)}
            )
        return text

    return parse


def _year():
    last = timezone.localdate().year + 1

    def parse(value):
        year = workbook.parse_int(value)
        if not FIRST_YEAR <= year <= last:
            raise CellError(
                _("Expected a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": last}
            )
        return year

    return parse


_REQUIRED = object()


def _parse_cells(number, values, rules, sheet, errors):
    """The row's values parsed by ``rules`` [(key, parse, default)] (None for a wrong cell),
    and whether every cell was right."""
    parsed = []
    append = parsed.append
    ok = True
    for value, (key, parse, default) in zip(values, rules, strict=True):
        if value is None or (value.__class__ is str and (not value or value.isspace())):
            if default is _REQUIRED:
                errors.add(number, sheet.header(key), None, _("A value is required."))
                ok = False
            append(default)
            continue
        try:
            append(parse(value))
        except CellError as exc:
            errors.add(number, sheet.header(key), value, exc)
            ok = False
            append(None)
    return parsed, ok


# --- Projects ------------------------------------------------------------------------


@dataclass(slots=True)
class ProjectRow:
    row: int
    code: str
    title: str
    holder_name: str
    holder_type: str | None
    registration_number: str | None
    sector_id: int
    commune_id: int
    programme_id: int
    year: int
    total_cost: Decimal
    indh_contribution: Decimal
    partner_contribution: Decimal
    holder_contribution: Decimal
    status: str
    agreement_signed_on: datetime.date | None
    jobs_created: int
    members: int | None


def _project_rules(references):
    """How each column of PROJECTS is read: (key, parse, default when blank)."""
    zero = Decimal("0.00")
    return [
        ("code", _text(50), _REQUIRED),
        ("title", _text(300), _REQUIRED),
        ("holder", _text(255), _REQUIRED),
        ("holder_type", references.holder_types.find, None),
        ("registration_number", _text(50), None),
        ("sector", references.sectors.find, _REQUIRED),
        ("commune", references.communes.find, _REQUIRED),
        ("programme", references.programmes.find, references.default_programme_id or _REQUIRED),
        ("year", _year(), _REQUIRED),
        ("total_cost", workbook.parse_amount, _REQUIRED),
        ("indh_contribution", workbook.parse_amount, _REQUIRED),
        ("partner_contribution", workbook.parse_amount, zero),
        ("holder_contribution", workbook.parse_amount, zero),
        ("status", references.statuses.find, ProjectStatus.PROGRAMMED.value),
        ("agreement_signed_on", workbook.parse_date, None),
        ("jobs_created", workbook.parse_int, 0),
        ("members", workbook.parse_int, None),
    ]


def _read_project_rows(sheet, references, errors, result):
    """Every row checked on its own (cells, amounts, duplicate codes): no database beyond references.
    Yields the rows that pass, as it goes."""
    rules = _project_rules(references)
    first_row_of_code = {}
    for number, values in sheet.rows:
        parsed, ok = _parse_cells(number, values, rules, sheet, errors)
        code = parsed[0]
        if code is not None:
            ok = _check_unique_code(number, code, first_row_of_code, sheet, errors) and ok
        if ok:
            row = ProjectRow(number, *parsed)
            if _check_amounts(row, sheet, errors, result):
                yield row


def _check_amounts(row, sheet, errors, result):
    total = row.total_cost
    shares = row.indh_contribution + row.partner_contribution + row.holder_contribution
    if total <= 0:
        errors.add(row.row, sheet.header("total_cost"), total, _("The total cost must be more than 0."))
        return False
    if row.indh_contribution > total:
        errors.add(
            row.row,
            sheet.header("indh_contribution"),
            row.indh_contribution,
            _("INDH's contribution (%(indh)s) cannot exceed the total cost (%(total)s).")
            % {"indh": format_mad(row.indh_contribution), "total": format_mad(total)},
        )
        return False
    if shares > total + SHARES_TOLERANCE:
        errors.add(
            row.row,
            sheet.header("total_cost"),
            total,
            _(
                "INDH, partners' and holder's contributions add up to %(shares)s, more than the total cost "
                "(%(total)s) by more than 1 MAD."
            )
            % {"shares": format_mad(shares), "total": format_mad(total)},
        )
        return False
    if shares < total:
        result.gaps += 1
    return True


def _check_unique_code(number, code, first_row_of_code, sheet, errors):
    first = first_row_of_code.setdefault(code, number)
    if first != number:
        errors.add(
            number,
            sheet.header("code"),
            code,
            _("The project code %(code)s already appears on row %(row)s.")
            % {"code": isolate(code), "row": first},
        )
        return False
    return True


class Importer:
    """One import's rows: read() parses them, plan() checks them against the database and
    counts what changes, write() saves the plan (projects: ProjectImport, holders: HolderImport)."""

    def __init__(self, sheet, user, result, errors):
        self.sheet = sheet
        self.user = user
        self.result = result
        self.errors = errors
        self.references = References()
        self.columns = [column.key for column in sheet.table.columns]
        self.now = timezone.now()  # created_at and updated_at of every row written
        self.outside = set()  # communes outside the account's provinces, once plan() starts

    @staticmethod
    def can_stream():
        return False

    def column_order(self, header):
        for index, key in enumerate(self.columns):
            if self.sheet.header(key) == header:
                return index
        return -1

    def preview(self, row, identifier, title, action):
        if len(self.result.preview) < PREVIEW_ROWS:
            self.result.preview.append((row, identifier, title, action))

    def count(self, action, commune_id):
        """Count a planned row ("new", "update" or "unchanged") in the totals and in its province's."""
        name = {"new": "created", "update": "updated", "unchanged": "unchanged"}[action]
        setattr(self.result, name, getattr(self.result, name) + 1)
        province = str(self.references.province_of_commune.get(commune_id))
        counts = self.result.province_counts.setdefault(province, dict.fromkeys(PROVINCE_COUNTS, 0))
        counts[name] += 1

    def outside_communes(self):
        """The communes outside the account's provinces (none for the command line, which has no account)."""
        if self.user is None:
            return set()
        return out_of_scope_communes(self.user, set(self.references.communes.values()))

    def refuse_outside(self, row, key, shown):
        """A row outside the account's provinces: its one error, and nothing else is said of it."""
        self.errors.add(row.row, self.sheet.header(key), shown, OUTSIDE_SCOPE)


class StoredRows:
    """The rows of the database a projects file is checked against, loaded before the file's
    rows are read when the import can (services: while python-calamine parses the sheet)."""

    def __init__(self):
        self.projects = None  # code -> ExistingProject, when every project is loaded
        self.holders = None  # (id, *HOLDER_FIELDS) of every holder

    def load(self, rows_estimate):
        # For a file far smaller than the table, the projects it names are fetched by code once
        # it is read (_existing_projects).
        if _scan_beats_lookup(rows_estimate):
            self.projects = _all_projects()
        self.holders = _holder_values()


class ProjectImport(Importer):
    """read() then plan() then write(); or, saving on PostgreSQL, stream(): each row checked and
    planned in turn while a thread of its own sends the new projects to the database, then write()."""

    def __init__(self, sheet, user, result, errors, stored=None):
        super().__init__(sheet, user, result, errors)
        self.stored = stored or StoredRows()
        self.streamed = None  # ids of the new projects stream() wrote, once it has run
        self.streamed_holders = {}  # new holder stream() wrote -> (id, values as written)

    def read(self):
        self.rows = list(_read_project_rows(self.sheet, self.references, self.errors, self.result))

    def plan(self):
        self._start_plan(len(self.rows), lambda: [row.code for row in self.rows])
        for row in self.rows:
            self._plan_row(row)
        self._end_plan()

    @staticmethod
    def can_stream():
        return bulk_writes.BackgroundWriter.supported()

    def stream(self):
        """Check and plan every row while the new projects are written (PostgreSQL).

        A first import is bound by the database (indexes, foreign keys): COPY runs on its core
        while Python checks the next rows on the other. Rows are only sent while the file has
        no error; every error is still listed, and the caller rolls the transaction back.
        Each batch of new projects follows the new holders it names, as they are so far;
        write() brings those holders up to date with the rest of the file.
        """

        def codes():
            key = _text(50)
            for _number, values in self.sheet.rows:
                try:
                    yield key(values[0]) if values[0] not in ("", None) else None
                except (CellError, TypeError):  # too long, or only spaces: no project has it
                    continue

        self._start_plan(len(self.sheet.rows), codes)
        self.streamed = []
        batch = []
        with bulk_writes.aggregates_deferred(), bulk_writes.BackgroundWriter(self._write_batch) as writer:
            for row in _read_project_rows(self.sheet, self.references, self.errors, self.result):
                created = len(self.creates)
                self._plan_row(row)
                if len(self.creates) > created and not self.errors:
                    batch.append(self.creates[-1])
                    if len(batch) == STREAM_BATCH:
                        writer.send(batch)
                        batch = []
            if batch and not self.errors:
                writer.send(batch)
        self._end_plan()

    def _write_batch(self, creates, cursor):
        """(In the writer thread.) New projects ``creates`` [(row, holder)], after the new
        holders they name that are not written yet."""
        written = self.streamed_holders
        fresh = list(
            dict.fromkeys(holder for _row, holder in creates if holder.id is None and holder not in written)
        )
        rows = []
        for holder, pk in zip(fresh, bulk_writes.next_ids(Holder, len(fresh), cursor), strict=True):
            values = holder.values()
            written[holder] = (pk, values)
            rows.append((pk, *values, *_NEW_HOLDER_DEFAULTS, self.now, self.now))
        bulk_writes.copy_rows(cursor, Holder, HOLDER_COLUMNS, rows)
        ids = bulk_writes.next_ids(Project, len(creates), cursor)
        rows = []
        for pk, (row, holder) in zip(ids, creates, strict=True):
            values = self._values(row, holder.id or written[holder][0])
            rows.append((pk, row.code, *values, *_NEW_PROJECT_DEFAULTS, self.now, self.now))
        bulk_writes.copy_rows(cursor, Project, PROJECT_COLUMNS, rows)
        self.streamed += ids

    def _start_plan(self, row_count, codes):
        """What the rows are checked against: the projects they name, the holders, the account's scope."""
        if self.stored.projects is not None:
            self.existing = self.stored.projects
        else:
            self.existing = _existing_projects(row_count, codes)
        self.outside = self.outside_communes()
        self.holders = _HolderIndex(self, self.stored.holders)
        self.creates = []
        self.updates = []

    def _plan_row(self, row):
        project = self.existing.get(row.code)
        # Out of scope, a row is not checked any further: its status, holder, amounts and partner
        # lines would be compared with another province's project, and the messages would tell.
        if row.commune_id in self.outside:
            self.refuse_outside(row, "commune", self.references.communes.label(row.commune_id))
            return
        if project is not None and project.commune_id in self.outside:
            self.refuse_outside(row, "code", row.code)
            return
        self._check_status(row, project)
        holder, holder_changed = self.holders.resolve(row, project)
        if holder is None:
            return
        if project is None:
            self.creates.append((row, holder))
            action = "new"
        elif self._differs(row, holder, project):
            self.updates.append((row, holder, project))
            action = "update"
        elif holder_changed:
            action = "update"
        else:
            action = "unchanged"
        self.count(action, row.commune_id)
        self.preview(row.row, row.code, row.title, action)
        rules = self.references.programme_rules.get(row.programme_id)
        if rules and quality.beyond_programme_rule(row.indh_contribution, row.total_cost, *rules):
            self.result.beyond_rules.append(row.code)

    def _end_plan(self):
        self._check_lines([(row, project) for row, _holder, project in self.updates])
        self.holders.check_changes_in_scope()
        self._count_holders()

    def _count_holders(self):
        """Holders the rows create (listed for the preview) and existing holders they name."""
        index, references, result = self.holders, self.references, self.result
        result.holders_matched = sum(1 for record in index.by_id.values() if record.first_row is not None)
        # Rows of another province are refused before their holder is looked for: none is listed.
        new = [record for record in index.new if record.commune_id not in self.outside]
        result.holders_created = len(new)
        result.new_holders = [
            (
                record.first_row,
                record.name,
                references.holder_types.label(record.holder_type),
                references.communes.label(record.commune_id),
                record.registration_number or "",
            )
            for record in new[:NEW_HOLDERS_LISTED]
        ]

    def _check_status(self, row, project):
        """Approving, completing or cancelling is a validator's decision, in the admin or by import."""
        previous = project.status if project else None
        if self.user is not None and not may_set_status(self.user, row.status, previous):
            shown = self.references.statuses.label(row.status)
            self.errors.add(row.row, self.sheet.header("status"), shown, STATUS_REFUSED_MESSAGE)

    @staticmethod
    def _values(row, holder_id):
        return (
            row.title,
            holder_id,
            row.sector_id,
            row.commune_id,
            row.programme_id,
            row.year,
            row.status,
            row.total_cost,
            row.indh_contribution,
            row.partner_contribution,
            row.holder_contribution,
            row.agreement_signed_on,
            row.jobs_created,
        )

    def _differs(self, row, holder, project):
        return self._values(row, holder.id) != project[1:]

    def _check_lines(self, updates):
        """An import may not break what the admin enforces on a project's detail lines."""
        lowered = {
            project.id: row for row, project in updates if row.indh_contribution < project.indh_contribution
        }
        for project_id, released in _sums(Disbursement, lowered):
            row = lowered[project_id]
            if released > row.indh_contribution:
                self.errors.add(
                    row.row,
                    self.sheet.header("indh_contribution"),
                    row.indh_contribution,
                    _(
                        "%(released)s of INDH money has already been disbursed for this project: "
                        "the INDH contribution cannot be lower."
                    )
                    % {"released": format_mad(released)},
                )
        changed = {
            project.id: row
            for row, project in updates
            if row.partner_contribution != project.partner_contribution
        }
        for project_id, detailed in _sums(PartnerContribution, changed):
            row = changed[project_id]
            if detailed != row.partner_contribution:
                self.errors.add(
                    row.row,
                    self.sheet.header("partner_contribution"),
                    row.partner_contribution,
                    _(
                        "This project's partners' contribution is detailed by partner in the admin "
                        "(%(detailed)s in all): change the partner lines there first, or keep %(detailed)s."
                    )
                    % {"detailed": format_mad(detailed)},
                )

    def write(self, batch):
        history = bulk_writes.History(batch, self.user)
        timings = self.result.timings
        now = self.now
        streamed = self.streamed
        with bulk_writes.timed(timings, "save: holders"):
            self.holders.insert_new(self.streamed_holders)
        if streamed is None:
            with bulk_writes.timed(timings, "save: new projects"), bulk_writes.aggregates_deferred():
                streamed = bulk_writes.insert(
                    Project,
                    PROJECT_COLUMNS,
                    (
                        (None, row.code, *self._values(row, holder.id), *_NEW_PROJECT_DEFAULTS, now, now)
                        for row, holder in self.creates
                    ),
                    returning_ids=len(self.creates),
                )
        # The new projects reach the aggregate tables before any holder changes type: the
        # type trigger moves every project of the holder, those just inserted included.
        with bulk_writes.timed(timings, "save: aggregates"):
            bulk_writes.apply_inserted_projects(streamed)
        with bulk_writes.timed(timings, "save: holders"):
            self.holders.update_changed(history)
        with bulk_writes.timed(timings, "save: history"):
            history.record(Project, "+", "id", streamed)
        with bulk_writes.timed(timings, "save: updates"):
            bulk_writes.update(
                Project,
                (*PROJECT_FIELDS, "updated_at"),
                [(project.id, *self._values(row, holder.id), now) for row, holder, project in self.updates],
            )
            history.record(Project, "~", "id", [project.id for _row, _holder, project in self.updates])


PROJECT_COLUMNS = (
    "id",
    "code",
    *PROJECT_FIELDS,
    "agreement_number",
    "private_notes",
    "is_demo",
    "created_at",
    "updated_at",
)
_NEW_PROJECT_DEFAULTS = ("", "", False)  # agreement_number, private_notes, is_demo
HOLDER_COLUMNS = (
    "id",
    *HOLDER_FIELDS,
    "phone",
    "email",
    "private_notes",
    "is_demo",
    "created_at",
    "updated_at",
)
_NEW_HOLDER_DEFAULTS = ("", "", "", False)  # phone, email, private_notes, is_demo

ExistingProject = namedtuple("ExistingProject", ["id", *PROJECT_FIELDS])


def _existing_projects(row_count, codes):
    """The projects a file of ``row_count`` rows may name, as ExistingProject by code;
    ``codes()`` gives its codes, only asked for when the file is small next to the table."""
    if _scan_beats_lookup(row_count):
        return _all_projects()
    fields = ("code", "id", *PROJECT_FIELDS)
    make = ExistingProject._make
    found = {}
    for chunk in bulk_writes.chunks([code for code in codes() if code is not None], 2000):
        for row in Project.objects.filter(code__in=chunk).values_list(*fields):
            found[row[0]] = make(row[1:])
    return found


def _scan_beats_lookup(row_count):
    """Whether a file of ``row_count`` rows is about the size of the table: one plain scan of
    every project then beats sending every code as a parameter (10⁵ placeholders cost seconds
    to build and parse)."""
    return Project.objects.count() <= 2 * row_count


def _all_projects():
    """Every project, as ExistingProject by code."""
    make = ExistingProject._make
    # Fetched whole (one round trip), not with .iterator(): a server-side cursor would take a thousand.
    return {row[0]: make(row[1:]) for row in Project.objects.values_list("code", "id", *PROJECT_FIELDS)}


def _sums(model, rows_by_project):
    """(project id, sum of amounts) for the projects that have lines of ``model``."""
    for chunk in bulk_writes.chunks(list(rows_by_project), 5000):
        yield from (
            model.objects.filter(project_id__in=chunk)
            .values("project_id")
            .annotate(total=Sum("amount"))
            .values_list("project_id", "total")
        )


# --- Holders -------------------------------------------------------------------------

_SAME, _CHANGED, _CONFLICT = "same", "changed", "conflict"


class _HolderRecord:
    """A holder as the import sees it: an existing row (id set) or one to create."""

    __slots__ = (*HOLDER_FIELDS, "id", "key", "set_by", "first_row", "changed")

    def __init__(self, id=None, **values):  # noqa: A002 - the model's own name
        self.id = id
        for name in HOLDER_FIELDS:
            setattr(self, name, values.get(name))
        self.key = workbook.normalise(self.name)
        self.set_by = {}  # attribute -> sheet row that gave its value in this file
        self.first_row = None  # the first sheet row naming this holder
        self.changed = False

    def values(self):
        return tuple(getattr(self, name) for name in HOLDER_FIELDS)


def _holder_values():
    return list(Holder.objects.values_list("id", *HOLDER_FIELDS))


class _HolderIndex:
    """Holders matched in memory: by registration number within the row's province, else by name
    and commune, else by the spellings merged into a holder (HolderAlias) in the row's province.

    Loads every holder once (a few columns; tens of thousands of rows at most, even for a
    whole country), then resolves each row with dict lookups. Rows of one file that name
    the same holder must agree on it.
    """

    def __init__(self, importer, stored=None):
        """``stored``: the holders' _holder_values() when already loaded."""
        self.importer = importer
        self.errors = importer.errors
        self.sheet = importer.sheet
        self.by_id = {}
        self.by_registration = {}
        self.by_name = {}
        self.province_of = importer.references.province_of_commune
        for values in _holder_values() if stored is None else stored:
            self._add(_HolderRecord(values[0], **dict(zip(HOLDER_FIELDS, values[1:], strict=True))))
        self.by_alias = {}  # (province id, compared name) -> ids of the holders it was merged into
        for key, holder_id in HolderAlias.objects.values_list("key", "holder_id"):
            record = self.by_id.get(holder_id)
            if record is not None:
                self.by_alias.setdefault((self.province_of.get(record.commune_id), key), []).append(record)
        self.new = []
        self.completed = []  # new holders streamed before later rows completed them (insert_new)

    def _add(self, record):
        if record.id is not None:
            self.by_id[record.id] = record
        if record.registration_number:
            # Numbers come from local registers: unique within a province only.
            self.by_registration[(self.province_of.get(record.commune_id), record.registration_number)] = (
                record
            )
        self.by_name.setdefault((record.commune_id, record.key), []).append(record)

    def find(self, name, commune_id, registration_number, current_holder_id=None, holder_type=None):
        """The holder a row names, or None when it is new; raises CellError when it is ambiguous."""
        # A project keeps its holder when the row names it, wherever that holder is based.
        current = self.by_id.get(current_holder_id)
        if registration_number:
            if current is not None and current.registration_number == registration_number:
                return current
            record = self.by_registration.get((self.province_of.get(commune_id), registration_number))
            if record is not None:
                return record
        key = workbook.normalise(name)
        if (
            current is not None
            and current.key == key
            and not (registration_number and current.registration_number)
        ):
            return current
        candidates = [
            record
            for record in self.by_name.get((commune_id, key), ())
            if not (registration_number and record.registration_number)
        ]
        if len(candidates) > 1:
            raise CellError(
                _(
                    "Several holders of this commune are named %(name)s: "
                    "give the registration number to say which."
                )
                % {"name": name}
            )
        if not candidates and not registration_number:
            # A spelling merged into a holder (a row with a number is matched by it, or is new).
            candidates = [
                record
                for record in self.by_alias.get((self.province_of.get(commune_id), duplicate_key(name)), ())
                if holder_type in (None, record.holder_type)
            ]
            if len({record.id for record in candidates}) > 1:
                raise CellError(
                    _(
                        "Several holders of this commune are named %(name)s: "
                        "give the registration number to say which."
                    )
                    % {"name": name}
                )
        return candidates[0] if candidates else None

    def create(self, number, **values):
        record = _HolderRecord(None, **values)
        record.set_by = dict.fromkeys((name for name, value in values.items() if value is not None), number)
        record.first_row = number
        self._add(record)
        self.new.append(record)
        return record

    def set(self, record, name, value, number, column):
        """Give ``record`` a value from row ``number``: _SAME, _CHANGED, or _CONFLICT when an
        earlier row of the file gave it another value (reported on this row)."""
        first = record.set_by.get(name)
        if first is not None and first != number:
            current = getattr(record, name)
            if current == value or workbook.normalise(current) == workbook.normalise(value):
                return _SAME
            self.errors.add(
                number,
                self.sheet.header(column),
                value,
                _("Row %(row)s gives the same holder %(other)s: the rows must agree.")
                % {"other": getattr(record, name), "row": first},
            )
            return _CONFLICT
        record.set_by[name] = number
        if getattr(record, name) == value:
            return _SAME
        setattr(record, name, value)
        if record.id is None:
            return _SAME
        record.changed = True
        return _CHANGED

    def check_changes_in_scope(self):
        """An account may link its projects to a holder of another province, not change that holder."""
        user = self.importer.user
        changed = [record for record in self.by_id.values() if record.changed]
        if user is None or not changed:
            return
        outside = out_of_scope_communes(user, {record.commune_id for record in changed})
        for record in changed:
            if record.commune_id in outside:
                self.errors.add(
                    record.first_row,
                    self.sheet.header("holder" if "holder" in self.importer.columns else "name"),
                    record.name,
                    OUTSIDE_SCOPE,
                )

    def check_members(self, record, number, column, value):
        """Members may not fall below the holder's women or young members counted in the admin."""
        largest = max(record.members_women or 0, record.members_under_35 or 0)
        if largest <= value:
            return True
        if record.commune_id in self.importer.outside:
            # Another province's holder (the one its project already has): its counts are not told.
            self.errors.add(number, self.sheet.header(column), value, OUTSIDE_SCOPE)
            return False
        self.errors.add(
            number,
            self.sheet.header(column),
            value,
            _("The holder has %(count)s women or young members in the admin: more than %(value)s members.")
            % {"count": largest, "value": value},
        )
        return False

    def resolve(self, row, project):
        """The holder of a projects-workbook row, and whether the row changes it."""
        try:
            record = self.find(
                row.holder_name,
                row.commune_id,
                row.registration_number,
                project and project.holder_id,
                row.holder_type,
            )
        except CellError as exc:
            self.errors.add(row.row, self.sheet.header("holder"), row.holder_name, exc)
            return None, False
        if (
            record is not None
            and record.commune_id in self.importer.outside
            and not (project is not None and record.id == project.holder_id)
        ):
            # Found by a registration number of another province's holder: the project's own holder
            # may stay where it is based, but no other holder of that province is reachable.
            self.importer.refuse_outside(row, "registration_number", row.registration_number)
            return None, False
        if record is not None and record.first_row is None:
            record.first_row = row.row
        if record is None:
            record = self.create(
                row.row,
                name=row.holder_name,
                holder_type=row.holder_type or HolderType.COOPERATIVE.value,
                registration_number=row.registration_number,
                commune_id=row.commune_id,
                main_sector_id=row.sector_id,
                members_total=row.members,
            )
            return record, False
        outcomes = set()
        if row.registration_number:
            if record.registration_number is None:
                outcomes.add(
                    self.set(
                        record, "registration_number", row.registration_number, row.row, "registration_number"
                    )
                )
            # Matched by its number: the sheet's spelling of the name wins.
            outcomes.add(self.set(record, "name", row.holder_name, row.row, "holder"))
        if row.holder_type:
            outcomes.add(self.set(record, "holder_type", row.holder_type, row.row, "holder_type"))
        if row.members is not None:
            if self.check_members(record, row.row, "members", row.members):
                outcomes.add(self.set(record, "members_total", row.members, row.row, "members"))
            else:
                outcomes.add(_CONFLICT)
        if _CONFLICT in outcomes:
            return None, False
        return record, _CHANGED in outcomes

    def insert_new(self, streamed):
        """Insert the holders this file creates; those ``streamed`` already (holder -> (id,
        values as written), ProjectImport.stream) are brought up to date with the whole file."""
        now = self.importer.now
        waiting = [record for record in self.new if record not in streamed]
        ids = bulk_writes.insert(
            Holder,
            HOLDER_COLUMNS,
            ((None, *record.values(), *_NEW_HOLDER_DEFAULTS, now, now) for record in waiting),
            returning_ids=len(waiting),
        )
        for record, pk in zip(waiting, ids, strict=True):
            record.id = pk
        # Saved by update_changed(), once the new projects are in the aggregate tables.
        for record, (pk, values) in streamed.items():
            record.id = pk
            if record.values() != values:  # a later row gave its number or members
                self.completed.append(record)

    def update_changed(self, history):
        """Save the changes the file makes to existing holders; record every holder written."""
        now = self.importer.now
        changed = [record for record in self.by_id.values() if record.changed]
        bulk_writes.update(
            Holder,
            (*HOLDER_FIELDS, "updated_at"),
            [(record.id, *record.values(), now) for record in [*self.completed, *changed]],
        )
        history.record(Holder, "+", "id", [record.id for record in self.new])
        history.record(Holder, "~", "id", [record.id for record in changed])

    def write(self, history):
        self.insert_new({})
        self.update_changed(history)


@dataclass(slots=True)
class HolderRow:
    row: int
    name: str
    holder_type: str | None
    registration_number: str | None
    commune_id: int
    main_sector_id: int | None
    created_on: datetime.date | None
    members_total: int | None
    members_women: int | None
    members_under_35: int | None


class HolderImport(Importer):
    """The holders list: one row per holder, matched like the projects workbook's holders."""

    def read(self):
        references = self.references
        rules = [
            ("name", _text(255), _REQUIRED),
            ("holder_type", references.holder_types.find, None),
            ("registration_number", _text(50), None),
            ("commune", references.communes.find, _REQUIRED),
            ("main_sector", references.sectors.find, None),
            ("created_on", workbook.parse_date, None),
            ("members_total", workbook.parse_int, None),
            ("members_women", workbook.parse_int, None),
            ("members_under_35", workbook.parse_int, None),
        ]
        self.rows = []
        for number, values in self.sheet.rows:
            parsed, ok = _parse_cells(number, values, rules, self.sheet, self.errors)
            if ok:
                row = HolderRow(number, *parsed)
                if self._check_members(row, row):
                    self.rows.append(row)

    def _check_members(self, counts, row):
        """Women and members under 35 are counted among the members (a database constraint)."""
        exceeding = [
            name
            for name in ("members_women", "members_under_35")
            if counts.members_total is not None and (getattr(counts, name) or 0) > counts.members_total
        ]
        for name in exceeding:
            self.errors.add(
                row.row,
                self.sheet.header(name),
                getattr(counts, name),
                _("More than the %(total)s members of the holder.") % {"total": counts.members_total},
            )
        return not exceeding

    def plan(self):
        communes = self.references.communes
        self.outside = self.outside_communes()
        index = self.holders = _HolderIndex(self)
        for row in self.rows:
            # Out of scope, a row is not compared with another province's holder (see ProjectImport).
            if row.commune_id in self.outside:
                self.refuse_outside(row, "commune", communes.label(row.commune_id))
                continue
            try:
                record = index.find(row.name, row.commune_id, row.registration_number, None, row.holder_type)
            except CellError as exc:
                self.errors.add(row.row, self.sheet.header("name"), row.name, exc)
                continue
            if record is not None and record.commune_id in self.outside:
                self.refuse_outside(row, "registration_number", row.registration_number)
                continue
            if record is not None and record.first_row is not None:
                self.errors.add(
                    row.row,
                    self.sheet.header("name"),
                    row.name,
                    _("This holder already appears on row %(row)s.") % {"row": record.first_row},
                )
                continue
            if record is None:
                record = index.create(
                    row.row,
                    name=row.name,
                    holder_type=row.holder_type or HolderType.COOPERATIVE.value,
                    registration_number=row.registration_number,
                    commune_id=row.commune_id,
                    main_sector_id=row.main_sector_id,
                    created_on=row.created_on,
                    members_total=row.members_total,
                    members_women=row.members_women,
                    members_under_35=row.members_under_35,
                )
                action = "new"
            else:
                before = record.values()
                record.first_row = row.row
                # A blank cell keeps what the holder already has; the commune stays (with the
                # name it identifies the holder: a holder moves in the admin).
                by_alias = not row.registration_number and record.key != workbook.normalise(row.name)
                for name in HOLDER_FIELDS:
                    value = getattr(row, name)
                    # Found by a merged spelling: the holder keeps the name it was given at the merge.
                    if value is not None and name != "commune_id" and not (name == "name" and by_alias):
                        setattr(record, name, value)
                self._check_members(record, row)
                record.changed = record.values() != before
                action = "update" if record.changed else "unchanged"
            self.count(action, record.commune_id)
            self.preview(row.row, row.name, row.registration_number or "", action)
        index.check_changes_in_scope()

    def write(self, batch):
        self.holders.write(bulk_writes.History(batch, self.user))
