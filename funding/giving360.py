"""The projects as a 360Giving Data Standard 1.4.3 package: GET /api/v1/360giving.json.

One grant per project the summary counts for the same filters (cancelled projects only when the
status filter names them). The grant is INDH's contribution; what 360Giving has no field for (total
cost, the partners' and the holder's contributions, sector, status, jobs) is given as additional
fields prefixed ``indh:``, which the standard allows and templates/funding/open_data.html documents.

Amounts are JSON numbers, as the standard requires, written from the Decimal itself: never a float.
"""

import datetime
import json
from decimal import Decimal

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cooperatives.models import HolderType
from funding import queries
from funding.models import ProjectStatus

STANDARD_VERSION = "1.4"
CURRENCY = "MAD"
COUNTRY = "MA"
CHUNK_SIZE = 2000


def grants_queryset(filters, *, lang):
    """The project list's rows, in code order, for the projects the summary counts under ``filters``."""
    return queries.project_list(filters, lang=lang).order_by("code")


def _amount(value):
    return (value or Decimal("0")).quantize(queries.CENT)


def grant_id(code):
    return f"{settings.THREESIXTYGIVING_PREFIX}-{code}"


def recipient_id(holder_id):
    """A holder's identifier: the publisher's prefix and the holder's own number, which never changes."""
    return f"{settings.THREESIXTYGIVING_PREFIX}-holder-{holder_id}"


def grant(row, *, labels):
    """One project as a 360Giving grant (amounts as Decimal).

    A project without an agreement date is dated the first of January of its year, the only
    award date the data then give.
    """
    year = row["year"]
    award_date = row["agreement_signed_on"] or datetime.date(year, 1, 1)
    return {
        "id": grant_id(row["code"]),
        "title": row["title"],
        "description": labels["description"]
        % {
            "code": row["code"],
            "sector": row["sector_name"],
            "commune": row["commune_name"],
            "title": row["title"],
        },
        "currency": CURRENCY,
        "amountAwarded": _amount(row["indh_contribution"]),
        "awardDate": award_date.isoformat(),
        "plannedDates": [{"startDate": f"{year}-01-01", "endDate": f"{year}-12-31"}],
        "recipientOrganization": [{"id": recipient_id(row["holder_id"]), "name": row["holder_name"]}],
        "fundingOrganization": [labels["funder"]],
        "beneficiaryLocation": [{"name": row["commune_name"], "countryCode": COUNTRY}],
        "grantProgramme": [{"code": row["programme_code"], "title": row["programme_name"]}],
        "classifications": [
            {"vocabulary": "indh:sector", "code": row["sector_code"], "title": row["sector_name"]}
        ],
        "dateModified": timezone.localtime(row["updated_at"]).isoformat(),
        "indh:projectCode": row["code"],
        "indh:totalCost": _amount(row["total_cost"]),
        "indh:partnerContribution": _amount(row["partner_contribution"]),
        "indh:holderContribution": _amount(row["holder_contribution"]),
        "indh:holderType": row["holder_kind"],
        "indh:holderTypeLabel": labels["holder_types"].get(row["holder_kind"], row["holder_kind"]),
        "indh:sector": row["sector_code"],
        "indh:programme": row["programme_code"],
        "indh:commune": row["commune_code"],
        "indh:year": year,
        "indh:status": row["status"],
        "indh:statusLabel": labels["statuses"].get(row["status"], row["status"]),
        "indh:jobsCreated": row["jobs"],
    }


def package_header(request):
    """The package's own fields (everything but its grants)."""
    now = timezone.localtime().replace(microsecond=0).isoformat()
    return {
        "version": STANDARD_VERSION,
        "title": _("INDH projects and their funding"),
        "description": _(
            "The projects supported by the National Initiative for Human Development (INDH), one grant "
            "per project: the grant is INDH's contribution."
        ),
        "identifier": settings.THREESIXTYGIVING_PREFIX,
        "issued": now,
        "modified": now,
        "publisher": {"name": _("Division de l'Action Sociale, INDH")},
        "license": settings.OPEN_DATA_LICENCE["url"],
        "accessURL": request.build_absolute_uri(request.get_full_path()),
    }


def to_json(value):
    """JSON text for ``value``: Decimals as exact numbers, everything else as json.dumps writes it."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def labels_for(lang):
    """Everything a grant says in words, translated once for the whole package."""
    with translation.override(lang):
        return {
            "description": _("Project %(code)s, %(sector)s, %(commune)s: %(title)s"),
            "funder": {
                "id": settings.THREESIXTYGIVING_PREFIX,
                "name": _("INDH — National Initiative for Human Development"),
            },
            "holder_types": {value: str(label) for value, label in HolderType.choices},
            "statuses": {value: str(label) for value, label in ProjectStatus.choices},
        }


def package_stream(header, rows, labels):
    """The package as JSON text, streamed grant by grant: a national package holds a million grants."""
    yield to_json(header)[:-1] + ',"grants":['
    for number, row in enumerate(rows):
        yield ("," if number else "") + to_json(grant(row, labels=labels))
    yield "]}"


def package_response(request, filters, lang):
    with translation.override(lang):
        header = package_header(request)
    rows = grants_queryset(filters, lang=lang).iterator(chunk_size=CHUNK_SIZE)
    response = StreamingHttpResponse(
        package_stream(header, rows, labels_for(lang)), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="indh-360giving.json"'
    return response
