"""Files that are not a usable projects workbook get a clear message and change nothing;
CSV files import like workbooks; two imports at the same time both end cleanly."""

import importlib
import io
import threading
import time
import zipfile

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import translation
from openpyxl import Workbook

from cooperatives.models import Holder
from funding import services
from funding.models import ImportBatch, Project
from tests.funding.workbooks import FRENCH_HEADERS, SAMPLE_AR, SAMPLE_FR, project_row, xlsx


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the catalogues translate them in the other languages)."""
    with translation.override("en"):
        yield


def run(data, file_name="bilan.xlsx"):
    return services.import_workbook(file=data, file_name=file_name)


def refused_with(result, *words):
    assert not result.ok
    text = " ".join(error.message for error in result.errors)
    for word in words:
        assert word in text, text
    assert (Project.objects.count(), Holder.objects.count(), ImportBatch.objects.count()) == (0, 0, 0)
    return text


def rebuilt(member, transform):
    """The French sample with one member of its .xlsx archive rewritten."""
    source = zipfile.ZipFile(SAMPLE_FR)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, transform(data.decode()).encode() if name == member else data)
    return buffer.getvalue()


@pytest.mark.django_db
class TestBadFiles:
    def test_a_damaged_workbook(self):
        data = SAMPLE_FR.read_bytes()
        refused_with(run(data[: len(data) // 2]), "damaged")

    def test_a_text_file_renamed_xlsx(self):
        refused_with(run(b"Code projet;Secteur\nA;Agriculture\n", "bilan.xlsx"), ".xlsx")

    def test_an_empty_workbook(self):
        buffer = io.BytesIO()
        Workbook().save(buffer)
        refused_with(run(buffer.getvalue()), "empty")

    def test_an_empty_file(self):
        refused_with(run(b"", "bilan.xlsx"))

    def test_a_workbook_without_a_projects_sheet(self):
        book = Workbook()
        book.active.title = "Budget"
        book.active.append(["Ligne", "Montant"])
        book.active.append(["Fournitures", 1200])
        buffer = io.BytesIO()
        book.save(buffer)
        refused_with(run(buffer.getvalue()), "Projets", "المشاريع", "Code projet")

    def test_a_header_row_without_rows(self):
        refused_with(run(xlsx([])), "no rows")

    def test_a_file_over_the_size_limit(self, settings):
        settings.IMPORT_MAX_UPLOAD_BYTES = 4096
        refused_with(run(SAMPLE_FR), "6.7\u00a0KB", "4.0\u00a0KB")

    def test_a_file_over_the_row_limit(self, settings):
        settings.IMPORT_MAX_ROWS = 5
        refused_with(run(SAMPLE_FR), "5")

    def test_entity_expansion_is_refused_not_expanded(self):
        entities = '<!ENTITY a0 "lol">' + "".join(
            '<!ENTITY a{} "{}">'.format(n, f"&a{n - 1};" * 10) for n in range(1, 10)
        )

        def bomb(xml):
            start = xml.index("<worksheet")
            body = xml[start:].replace("Code projet", "&a9;", 1)
            return f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>' + body

        started = time.monotonic()
        refused_with(run(rebuilt("xl/worksheets/sheet1.xml", bomb)), "damaged")
        assert time.monotonic() - started < 5

    def test_external_entities_are_not_read(self):
        def xxe(xml):
            start = xml.index("<worksheet")
            body = xml[start:].replace("INDH-KHN-2021-084", "&x;", 1)
            return '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + body

        text = refused_with(run(rebuilt("xl/worksheets/sheet1.xml", xxe)))
        assert "root:" not in text

    def test_a_zip_bomb_is_refused_before_reading(self, settings):
        settings.IMPORT_MAX_UPLOAD_BYTES = 100_000
        source = zipfile.ZipFile(SAMPLE_FR)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for name in source.namelist():
                target.writestr(name, source.read(name))
            target.writestr("xl/media/padding.bin", b"\0" * 20_000_000)
        assert len(buffer.getvalue()) < 100_000
        refused_with(run(buffer.getvalue()), "expands")


@pytest.mark.django_db
class TestCsv:
    def test_a_semicolon_csv_from_french_excel_with_decimal_commas(self):
        lines = [";".join(FRENCH_HEADERS)]
        row = project_row(
            "CSV-1",
            **{
                "Coût global (DH)": "200 000,00",
                "Contribution INDH (DH)": "120 000,50",
                "Date de signature de la convention": "15/03/2024",
            },
        )
        lines.append(";".join("" if value is None else str(value) for value in row.values()))
        result = run("\r\n".join(lines).encode("cp1252"), "bilan.csv")
        assert result.ok, result.errors
        project = Project.objects.get(code="CSV-1")
        assert str(project.indh_contribution) == "120000.50"
        assert project.holder.name == "Coopérative Tafilalt"

    def test_a_comma_csv_in_utf8_with_arabic_text(self):
        headers = ["رمز المشروع", "عنوان المشروع", "حامل المشروع", "القطاع", "الجماعة", "السنة"]
        headers += ["الكلفة الإجمالية (درهم)", "مساهمة المبادرة (درهم)"]
        body = ",".join(headers) + "\n" + "CSV-2,ورشة,تعاونية الأمل,السياحة,القباب,2023,90000,45000\n"
        result = run(("\ufeff" + body).encode("utf-8"), "bilan.csv")
        assert result.ok, result.errors
        assert Project.objects.get(code="CSV-2").holder.name == "تعاونية الأمل"


@pytest.fixture
def reference_data(transactional_db):
    """Real transactions (threads have their own connections) start from a flushed database:
    load the sectors, communes and programmes the data migrations ship."""
    for module in ("cooperatives.migrations.0003_reference_data", "funding.migrations.0002_reference_data"):
        importlib.import_module(module).load(apps, None)


@pytest.mark.usefixtures("reference_data")
class TestConcurrentImports:
    def _hold_import_lock(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [services.IMPORT_LOCK_KEY])

    def _in_threads(self, *files):
        results = []

        def work(data, name):
            try:
                results.append(services.import_workbook(file=data, file_name=name))
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(path.read_bytes(), path.name)) for path in files]
        for thread in threads:
            thread.start()
        return threads, results

    def test_two_imports_of_the_same_projects_at_once_both_succeed(self):
        if connection.vendor != "postgresql":
            pytest.skip("the import lock is PostgreSQL's")
        # Both imports start while a third holds the lock, so they really overlap.
        with transaction.atomic():
            self._hold_import_lock()
            threads, results = self._in_threads(SAMPLE_FR, SAMPLE_AR)
            time.sleep(0.5)
        for thread in threads:
            thread.join(30)
        assert [result.ok for result in results] == [True, True], [r.errors for r in results]
        assert sorted((result.created, result.unchanged) for result in results) == [(0, 12), (12, 0)]
        assert (Project.objects.count(), Holder.objects.count(), ImportBatch.objects.count()) == (12, 12, 2)

    def test_an_import_that_waits_too_long_gives_up_cleanly(self, monkeypatch):
        if connection.vendor != "postgresql":
            pytest.skip("the import lock is PostgreSQL's")
        monkeypatch.setattr(services, "LOCK_WAIT", "300ms")
        with transaction.atomic():
            self._hold_import_lock()
            threads, results = self._in_threads(SAMPLE_FR)
            threads[0].join(30)
        (result,) = results
        assert not result.ok
        assert "Another import" in result.errors[0].message or "importation" in result.errors[0].message
        assert (Project.objects.count(), ImportBatch.objects.count()) == (0, 0)
