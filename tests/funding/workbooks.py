"""Real .xlsx files written with openpyxl, the way officials' workbooks come, for the import tests."""

import datetime
import io
from pathlib import Path

from openpyxl import Workbook

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLE_FR = FIXTURES / "projects-sample.xlsx"
SAMPLE_AR = FIXTURES / "projects-sample-ar.xlsx"

FRENCH_HEADERS = [
    "Code projet",
    "Intitulé du projet",
    "Porteur du projet",
    "Type de porteur",
    "N° d'immatriculation",
    "Secteur",
    "Commune",
    "Programme",
    "Année",
    "Coût global (DH)",
    "Contribution INDH (DH)",
    "Contribution partenaires (DH)",
    "Apport du porteur (DH)",
    "Statut",
    "Date de signature de la convention",
    "Emplois créés",
    "Nombre d'adhérents",
]


def project_row(code="INDH-KHN-2024-001", **values):
    """One valid row, as a dict keyed by French header; override cells with
    ``project_row("X", **{"Statut": None})``."""
    row = {
        "Code projet": code,
        "Intitulé du projet": "Unité de tissage",
        "Porteur du projet": "Coopérative Tafilalt",
        "Type de porteur": "Coopérative",
        "N° d'immatriculation": None,
        "Secteur": "Artisanat",
        "Commune": "Khénifra",
        "Programme": "P3",
        "Année": 2024,
        "Coût global (DH)": 200000,
        "Contribution INDH (DH)": 120000,
        "Contribution partenaires (DH)": 50000,
        "Apport du porteur (DH)": 30000,
        "Statut": "En cours",
        "Date de signature de la convention": datetime.date(2024, 3, 15),
        "Emplois créés": 6,
        "Nombre d'adhérents": 25,
    }
    unknown = set(values) - set(row)
    assert not unknown, f"not a column: {unknown}"
    row.update(values)
    return row


def xlsx(rows, headers=None, *, sheet="Projets", above=(), below=(), extra_sheets=()):
    """An .xlsx (bytes): optional rows ``above`` the header row, the header row, ``rows``, then rows
    ``below``; ``extra_sheets`` come first in the workbook. A dict row is read by French header, in
    the order of ``headers`` (which may name the same columns differently)."""
    headers = list(headers or FRENCH_HEADERS)
    book = Workbook()
    book.remove(book.active)
    for name in extra_sheets:
        book.create_sheet(name).append(["Notes"])
    target = book.create_sheet(sheet)
    for line in above:
        target.append(list(line))
    target.append(headers)
    for row in rows:
        if isinstance(row, dict):
            row = [row[french] for french in FRENCH_HEADERS[: len(headers)]]
        target.append(list(row))
    for line in below:
        target.append(list(line))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
