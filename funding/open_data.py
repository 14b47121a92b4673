"""What each open-data field means, declared once.

The /open-data/ page documents every field from here, and the files offered from the public pages take
their column headers in the reader's language from here (the API's own default stays its keys).
"""

from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from indh_site.public_cache import cached_public_answer

TEXT = _("text")
CODE = _("code")
INTEGER = _("whole number")
AMOUNT = _("amount: a string with two decimals, in dirhams (MAD)")
DATE = _("date, YYYY-MM-DD")
DATETIME = _("date and time, ISO 8601 with the offset from UTC")
PERCENT = _("percentage: a string")
LIST = _("list")
OBJECT = _("object")


@dataclass(frozen=True)
class Field:
    key: str
    label: str | Promise
    meaning: str | Promise
    kind: str | Promise


# The parameters of the addresses (the filters are funding.filters.ProjectFilter's, the rest the API's).
PARAMETERS = (
    Field("year", _("Year"), _("One programming year."), INTEGER),
    Field("year_from", _("From year"), _("The first year of a period."), INTEGER),
    Field("year_to", _("To year"), _("The last year of a period."), INTEGER),
    Field("sector", _("Sector"), _("A sector's code; repeat it for several."), CODE),
    Field("commune", _("Commune"), _("A commune's code; repeat it for several."), CODE),
    Field("province", _("Province"), _("A province's code; repeat it for several."), CODE),
    Field("programme", _("Programme"), _("A programme's code, P1 to P4; repeat it for several."), CODE),
    Field("holder_type", _("Holder type"), _("cooperative, association, young_entrepreneur or other."), CODE),
    Field(
        "status",
        _("Status"),
        _("A status; cancelled projects are left out unless this names them."),
        CODE,
    ),
    Field(
        "holder",
        _("Holder"),
        _("The projects of one holder, by the number in the address of its page (/holders/<number>/)."),
        INTEGER,
    ),
    Field("lang", _("Language"), _("The language of the labels and messages: ar, fr or en."), CODE),
    Field("format", _("Format"), _("json (default), csv or xlsx."), CODE),
    Field("page", _("Page"), _("/api/v1/projects in JSON: the page wanted, from 1."), INTEGER),
    Field(
        "page_size",
        _("Page size"),
        _("/api/v1/projects in JSON: projects per page, 50 by default, 500 at most."),
        INTEGER,
    ),
    Field(
        "q",
        _("Search"),
        _(
            "/api/v1/projects only: the projects whose code, title or holder contains this text, "
            "as the register searches."
        ),
        TEXT,
    ),
    Field(
        "headers",
        _("Column headers"),
        _(
            "CSV and Excel: keys (default) puts the keys of the fields in the first row, labels their "
            "names in the language asked for."
        ),
        CODE,
    ),
    Field(
        "sep",
        _("CSV separator"),
        _(
            "CSV: , (default) or ; for a spreadsheet set up for French (encoded in an address, as in the examples)."
        ),
        TEXT,
    ),
)

PROJECT_FIELDS = (
    Field("code", _("Project code"), _("The project's code; its page is /projects/<code>/."), CODE),
    Field("title", _("Title"), _("The project's title, as the province wrote it."), TEXT),
    Field("holder", _("Holder"), _("Who carries the project: a cooperative, an association…"), TEXT),
    Field(
        "holder_type",
        _("Holder type (code)"),
        _("cooperative, association, young_entrepreneur or other."),
        CODE,
    ),
    Field("holder_type_label", _("Holder type"), _("The holder type in the language asked for."), TEXT),
    Field("sector", _("Sector (code)"), _("The sector of activity."), CODE),
    Field("sector_label", _("Sector"), _("The sector's name in the language asked for."), TEXT),
    Field("commune", _("Commune (code)"), _("The commune where the project takes place."), CODE),
    Field("commune_label", _("Commune"), _("The commune's name in the language asked for."), TEXT),
    Field("province", _("Province (code)"), _("The province or prefecture of the commune."), CODE),
    Field("province_label", _("Province"), _("The province's name in the language asked for."), TEXT),
    Field("programme", _("Programme (code)"), _("The INDH programme, P1 to P4."), CODE),
    Field("programme_label", _("Programme"), _("The programme's name in the language asked for."), TEXT),
    Field("year", _("Year"), _("The programming year."), INTEGER),
    Field(
        "status", _("Status (code)"), _("programmed, approved, in_progress, completed or cancelled."), CODE
    ),
    Field("status_label", _("Status"), _("The status in the language asked for."), TEXT),
    Field(
        "total_cost", _("Total cost"), _("What the whole project costs: the three shares together."), AMOUNT
    ),
    Field(
        "indh_contribution",
        _("INDH contribution"),
        _("INDH's share of the cost, committed by agreement."),
        AMOUNT,
    ),
    Field("partner_contribution", _("Partners' contribution"), _("The partners' share of the cost."), AMOUNT),
    Field(
        "holder_contribution", _("Holder's contribution"), _("The holder's own share of the cost."), AMOUNT
    ),
    Field("jobs", _("Jobs created"), _("Jobs the project created or is expected to create."), INTEGER),
    Field(
        "agreement_signed_on", _("Agreement signed on"), _("The date the agreement was signed, if any."), DATE
    ),
)

SUMMARY_FIELDS = (
    Field("last_updated", _("Last updated"), _("When the data last changed."), DATETIME),
    Field(
        "licence", _("Licence"), _("The licence of the data: its name and the address of its text."), OBJECT
    ),
    Field(
        "about",
        _("About these data"),
        _("The page that says what the figures mean and how to cite them."),
        TEXT,
    ),
    Field("filters", _("Filters"), _("The filters applied, as given in the address."), OBJECT),
    Field("totals", _("Totals"), _("The figures of all the matching projects, below."), OBJECT),
    Field(
        "totals.projects",
        _("Projects"),
        _("Projects matching the filters (cancelled ones left out)."),
        INTEGER,
    ),
    Field("totals.holders", _("Holders"), _("Distinct holders of those projects."), INTEGER),
    Field(
        "totals.cooperatives",
        _("Cooperatives"),
        _("Distinct holders of type cooperative among them."),
        INTEGER,
    ),
    Field("totals.total_cost", _("Total cost"), _("Sum of the projects' total costs."), AMOUNT),
    Field("totals.indh_contribution", _("INDH contribution"), _("Sum of INDH's shares."), AMOUNT),
    Field(
        "totals.partner_contribution", _("Partners' contribution"), _("Sum of the partners' shares."), AMOUNT
    ),
    Field(
        "totals.holder_contribution", _("Holder's contribution"), _("Sum of the holders' own shares."), AMOUNT
    ),
    Field("totals.jobs", _("Jobs created"), _("Sum of the jobs created."), INTEGER),
    Field("by_sector", _("By sector"), _("One row per sector: code, label and the figures above."), LIST),
    Field("by_year", _("By year"), _("One row per programming year."), LIST),
    Field("by_sector_year", _("By sector and year"), _("One row per sector and year."), LIST),
    Field("by_commune", _("By commune"), _("One row per commune."), LIST),
    Field(
        "by_province",
        _("By province"),
        _("One row per province: the communes' rows added up, with the province's census figures."),
        LIST,
    ),
    Field(
        "meta",
        _("Sources"),
        _("meta.credits: who the census figures and the boundaries come from, their licences."),
        OBJECT,
    ),
    Field("by_programme", _("By programme"), _("One row per programme."), LIST),
    Field("by_status", _("By status"), _("One row per status (no INDH amount)."), LIST),
)

# The columns of a breakdown's row (and of the summary's CSV) beyond the figures of the totals.
SUMMARY_ROW_FIELDS = (
    Field(
        "breakdown",
        _("Breakdown"),
        _("In the CSV only: the part of the summary a line belongs to (totals, by_sector…)."),
        CODE,
    ),
    Field("code", _("Code"), _("The code of the row's sector, commune, programme or status."), CODE),
    Field("label", _("Name"), _("Its name in the language asked for."), TEXT),
    Field("year", _("Year"), _("The programming year (by_year, by_sector_year)."), INTEGER),
)

# What a 360Giving grant carries beyond the standard's own fields (giving360.grant).
GIVING360_FIELDS = (
    Field("amountAwarded", _("Amount awarded"), _("INDH's contribution to the project."), _("number, MAD")),
    Field(
        "recipientOrganization",
        _("Recipient"),
        _("The holder, with an identifier that never changes."),
        OBJECT,
    ),
    Field("beneficiaryLocation", _("Location"), _("The project's commune."), OBJECT),
    Field("indh:totalCost", _("Total cost"), _("What the whole project costs."), _("number, MAD")),
    Field(
        "indh:partnerContribution", _("Partners' contribution"), _("The partners' share."), _("number, MAD")
    ),
    Field(
        "indh:holderContribution", _("Holder's contribution"), _("The holder's own share."), _("number, MAD")
    ),
    Field(
        "indh:projectCode", _("Project code"), _("The project's code; its page is /projects/<code>/."), CODE
    ),
    Field(
        "indh:holderType",
        _("Holder type (code)"),
        _("cooperative, association, young_entrepreneur or other."),
        CODE,
    ),
    Field("indh:holderTypeLabel", _("Holder type"), _("The holder type in the language asked for."), TEXT),
    Field("indh:commune", _("Commune (code)"), _("The commune where the project takes place."), CODE),
    Field("indh:year", _("Year"), _("The programming year."), INTEGER),
    Field("indh:sector", _("Sector (code)"), _("The sector of activity."), CODE),
    Field("indh:programme", _("Programme (code)"), _("The INDH programme."), CODE),
    Field("indh:status", _("Status (code)"), _("The project's status."), CODE),
    Field("indh:statusLabel", _("Status"), _("The status in the language asked for."), TEXT),
    Field("indh:jobsCreated", _("Jobs created"), _("Jobs the project created."), INTEGER),
)


def column_labels(keys, *, summary=False):
    """The reader's-language header of each of ``keys`` (the key itself where none is declared).

    ``summary``: the columns and sheets of /api/v1/summary (where ``code`` is a sector's, a commune's…),
    else those of /api/v1/projects.
    """
    labels = {} if summary else {field.key: field.label for field in PROJECT_FIELDS}
    labels.update({field.key.removeprefix("totals."): field.label for field in SUMMARY_FIELDS})
    if summary:
        labels.update({field.key: field.label for field in SUMMARY_ROW_FIELDS})
    return [str(labels.get(key, key)) for key in keys]


@require_safe
@cached_public_answer()
def open_data_page(request):
    summary_url = reverse("api:summary")
    projects_url = reverse("api:projects")
    examples = [
        (_("The figures of 2025, in Arabic"), f"{summary_url}?year=2025&lang=ar"),
        (_("Agriculture's breakdowns as CSV"), f"{summary_url}?sector=agriculture&format=csv"),
        (
            _("The completed projects, page 2, 100 a page"),
            f"{projects_url}?status=completed&page=2&page_size=100",
        ),
        (_("Every project as an Excel workbook"), f"{projects_url}?format=xlsx"),
        (_("Every project as CSV for a French-locale spreadsheet"), f"{projects_url}?format=csv&sep=%3B"),
        (
            _("The projects of one holder as CSV, with French column names"),
            f"{projects_url}?holder=12&format=csv&headers=labels&lang=fr",
        ),
        (_("The projects whose code, title or holder contains «olive»"), f"{projects_url}?q=olive"),
        (_("The 2025 projects as a 360Giving package"), f"{reverse('api:360giving')}?year=2025"),
    ]
    context = {
        "project_fields": PROJECT_FIELDS,
        "summary_fields": SUMMARY_FIELDS,
        "summary_row_fields": SUMMARY_ROW_FIELDS,
        "giving360_fields": GIVING360_FIELDS,
        "parameters": PARAMETERS,
        "examples": examples,
        "licence_url": settings.OPEN_DATA_LICENCE["url"],
    }
    return render(request, "funding/open_data.html", context)
