"""The yearly review (/bilan/): the province's review written from the data, in Arabic, French and English."""

import datetime
import html
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Count, Sum
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from cooperatives.models import Holder, HolderType
from funding.models import Project, ProjectStatus
from funding.review import (
    Period,
    Review,
    format_date,
    projects_phrase,
    resolve_period,
    sentences,
)
from indh_site.money import format_mdh
from tests.factories import make_holder, make_project

pytestmark = pytest.mark.django_db


def in_language(name, query=""):
    """The address of the public page ``name`` for ``query``, whose ``lang=`` becomes the language prefix."""
    params = QueryDict(query, mutable=True)
    lang = params.pop("lang", ["fr"])[-1]
    with translation.override(lang):
        return reverse(name) + ("?" + params.urlencode() if params else "")


def review_text(client, query=""):
    """The sentences of the review page, as a reader sees them (tags removed, entities decoded)."""
    response = client.get(in_language("review", query))
    assert response.status_code == 200
    content = response.content.decode()
    section = re.search(r'<section class="review-text".*?</section>', content, re.S)
    assert section, "the page has no review text"
    paragraphs = re.findall(r"<p>(.*?)</p>", section.group(0), re.S)
    return "\n".join(html.unescape(re.sub(r"<[^>]+>", "", p)) for p in paragraphs)


# --- The published figures ------------------------------------------------------------------------


def test_french_review_states_every_published_figure(client, demo_data):
    text = review_text(client, "lang=fr")

    assert "De 2019 à 2025, 99 projets ont été soutenus par l'INDH" in text
    assert "réalisés" not in text
    assert "coût total de 89,42 MDH" in text
    assert "71 coopératives ont bénéficié de cet appui" in text
    assert "le coût total des projets qu'elles portent s'élève à 81,70 MDH" in text
    assert "L'INDH y a contribué à hauteur de 42,21 MDH" in text
    assert "Agriculture (39 projets), Artisanat (44 projets) et Tourisme (16 projets)" in text
    assert "Au titre de 2025, 13 conventions de partenariat ont été signées" in text
    assert "coût total de 2,23 MDH, dont 2,01 MDH apportés par l'INDH" in text


def test_arabic_review_states_every_published_figure_in_the_reports_words(client, demo_data):
    text = review_text(client, "lang=ar")

    assert "من سنة 2019 إلى سنة 2025، تم دعم 99 مشروعا" in text
    assert "إنجاز 99" not in text
    assert "بتكلفة إجمالية بلغت 89,42 مليون درهم" in text
    assert "واستفادت من هذا الدعم 71 تعاونية، " in text
    assert "وتبلغ التكلفة الإجمالية للمشاريع التي تحملها 81,70 مليون درهم" in text
    assert "غلاف" not in text  # the cooperatives did not receive 81.70 million: their projects cost it
    assert "42,21 مليون درهم" in text
    assert "الفلاحة (39 مشروعا)، الصناعة التقليدية (44 مشروعا) والسياحة (16 مشروعا)" in text
    assert "وبرسم سنة 2025، تم توقيع 13 اتفاقية شراكة" in text
    assert "2,23 مليون درهم" in text
    assert "بمبلغ 2,01 مليون درهم" in text


def test_english_review_states_the_published_figures(client, demo_data):
    text = review_text(client, "lang=en")

    assert "From 2019 to 2025, 99 projects were supported by INDH" in text
    assert "MAD 89.42 million" in text
    assert "71 cooperatives benefited" in text
    assert "the projects they carry have a total cost of MAD 81.70 million" in text
    assert "INDH contributed MAD 42.21 million" in text
    assert "Agriculture (39 projects), Handicrafts (44 projects) and Tourism (16 projects)" in text
    assert "For 2025, 13 partnership agreements were signed" in text
    assert "MAD 2.23 million" in text
    assert "MAD 2.01 million" in text


def test_arabic_page_is_right_to_left_and_french_page_left_to_right(client, demo_data):
    arabic = client.get(in_language("review", "lang=ar")).content.decode()
    french = client.get(in_language("review", "lang=fr")).content.decode()

    assert re.search(r'<html lang="ar" dir="rtl"', arabic)
    assert re.search(r'<html lang="fr" dir="ltr"', french)


def test_the_review_shows_the_tables_behind_its_sentences(client, demo_data):
    response = client.get(in_language("review", "lang=fr"))
    content = html.unescape(response.content.decode())

    for heading in ("Chiffres clés", "Par secteur", "Par année", "Par commune", "Par programme"):
        assert f">{heading}</h2>" in content
    assert content.count('<svg class="chart"') == 2
    # The sector table gives each sector's share of the projects: 39 of 99 is 39,4 %.
    assert "39,4\u00a0%" in content
    assert 'href="/fr/bilan/xlsx/"' in content


def test_review_never_shows_private_holder_details(client, demo_data):
    content = client.get(in_language("review", "lang=fr")).content.decode()

    for holder in Holder.objects.all():
        assert holder.email not in content
        assert holder.phone not in content


# --- Same figures as the dashboard ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "year=2025",
        "year_from=2022&year_to=2024",
        "sector=tourism&year_from=2021",
        "commune=sidi-lamine&commune=el-kbab",
        "province=KHN&programme=P3",
        "holder_type=association",
        "status=cancelled&status=completed",
    ],
)
def test_review_states_the_figures_the_dashboard_and_api_show_for_the_same_filters(client, demo_data, query):
    # A cancelled project: left out of every figure unless the status filter names it.
    make_project(status=ProjectStatus.CANCELLED, year=2023, total_cost=Decimal("500000.00"))
    api = client.get(reverse("api:summary") + "?" + query).json()["totals"]
    dashboard = client.get(in_language("funding:dashboard", "lang=fr&" + query))
    review = client.get(in_language("review", "lang=fr&" + query))

    assert review.context["review"].totals["projects"] == api["projects"]
    assert review.context["review"].totals == dashboard.context["summary"]["totals"]
    text = review_text(client, "lang=fr&" + query)
    with translation.override("fr"):
        assert f"{api['projects']} projets ont été soutenus" in text
        assert f"coût total de {format_mdh(Decimal(api['total_cost']))}" in text
        assert f"hauteur de {format_mdh(Decimal(api['indh_contribution']))}" in text


def test_cooperatives_cost_and_agreements_are_counted_from_the_filtered_projects(client, demo_data):
    review = client.get(reverse("review") + "?sector=handicrafts&year_from=2021&year_to=2024").context[
        "review"
    ]

    projects = Project.objects.filter(sector__code="handicrafts", year__range=(2021, 2024))
    cooperatives = projects.filter(holder__holder_type=HolderType.COOPERATIVE)
    signed = projects.filter(year=2024, agreement_signed_on__isnull=False)
    assert review.figures == {
        "cooperative_projects": cooperatives.count(),
        "cooperative_cost": cooperatives.aggregate(s=Sum("total_cost"))["s"],
        "agreements": signed.count(),
        "agreements_cost": signed.aggregate(s=Sum("total_cost"))["s"],
        "agreements_indh": signed.aggregate(s=Sum("indh_contribution"))["s"],
    }


# --- Period and comparison ------------------------------------------------------------------------


def test_previous_period_has_the_same_length_just_before():
    assert Period(2019, 2025).previous() == Period(2012, 2018)
    assert Period(2025, 2025).previous() == Period(2024, 2024)
    assert Period(2022, 2023).previous() == Period(2020, 2021)


def test_period_comes_from_the_year_filters_or_else_from_the_years_with_data():
    by_year = [{"year": 2019}, {"year": 2021}, {"year": 2025}]
    assert resolve_period({}, by_year) == Period(2019, 2025)
    assert resolve_period({"year": 2021}, by_year) == Period(2021, 2021)
    assert resolve_period({"year_from": 2021}, by_year) == Period(2021, 2025)
    assert resolve_period({"year_to": 2021}, by_year) == Period(2019, 2021)
    assert resolve_period({"year_from": 2030}, []) == Period(2030, 2030)
    assert resolve_period({}, []) is None


def test_comparison_is_left_out_when_the_previous_period_has_no_project(client, demo_data):
    response = client.get(in_language("review", "lang=ar"))
    content = response.content.decode()
    text = review_text(client, "lang=fr")

    assert "2012–2018" not in text
    assert "augmenté" not in text
    assert response.context["comparison"] == []
    assert 'id="comparison-title"' not in content
    assert "لا ينطبق" not in content


def test_single_year_is_compared_with_the_year_before_in_percent_with_one_decimal(client, demo_data):
    def totals(year):
        return Project.objects.filter(year=year).aggregate(n=Count("id"), cost=Sum("total_cost"))

    before, after = totals(2024), totals(2025)
    change = ((after["cost"] - before["cost"]) * 100 / before["cost"]).quantize(Decimal("0.1"), ROUND_HALF_UP)
    french = review_text(client, "lang=fr&year=2025")
    arabic = review_text(client, "lang=ar&year=2025")

    assert change < 0  # the demo's 2025 cost less than its 2024
    percent = f"{abs(change)}".replace(".", ",")
    assert "Par rapport à l'année précédente (2024), " in french
    assert f"le coût total a diminué de {percent}\u00a0%" in french
    assert "ومقارنة بالسنة السابقة (2024)، " in arabic
    assert f"انخفضت التكلفة الإجمالية بنسبة {percent} في المائة" in arabic
    if before["n"] == after["n"]:
        assert f"le nombre de projets est resté stable ({after['n']})" in french


def test_a_rise_is_written_as_a_rise(client):
    make_project(year=2023, total_cost=Decimal("100000.00"))
    make_project(year=2024, total_cost=Decimal("100000.00"))
    make_project(year=2024, total_cost=Decimal("150000.00"))

    text = review_text(client, "lang=fr&year=2024")

    assert "le nombre de projets a augmenté de 100,0\u00a0% (de 1 à 2)" in text
    assert "le coût total a augmenté de 150,0\u00a0% (de 0,10 MDH à 0,25 MDH)" in text


# --- Grammar --------------------------------------------------------------------------------------

ARABIC_PROJECTS = {
    0: "0 مشروع",
    1: "مشروع واحد",
    2: "مشروعان",
    3: "3 مشاريع",
    10: "10 مشاريع",
    11: "11 مشروعا",
    99: "99 مشروعا",
    100: "100 مشروع",
    102: "102 مشروع",
    103: "103 مشاريع",
    111: "111 مشروعا",
    1000: "1\u00a0000 مشروع",
}


def test_arabic_number_of_projects_takes_the_form_of_its_plural_category():
    with translation.override("ar"):
        assert {n: projects_phrase(n) for n in ARABIC_PROJECTS} == ARABIC_PROJECTS


def test_french_uses_the_singular_for_zero_and_one():
    with translation.override("fr"):
        phrases = [projects_phrase(n) for n in (0, 1, 2, 99)]
    assert phrases == ["0 projet", "1 projet", "2 projets", "99 projets"]


def test_english_uses_the_plural_for_zero():
    with translation.override("en"):
        assert [projects_phrase(n) for n in (0, 1, 2)] == ["0 projects", "1 project", "2 projects"]


def summary_of(*, projects, cooperatives, sectors=1, jobs=0):
    """A summary shaped like Project.objects.summary()'s, for the sentences alone."""
    cost = Decimal(projects) * Decimal("100000.00")
    return {
        "totals": {
            "projects": projects,
            "holders": projects,
            "cooperatives": cooperatives,
            "total_cost": cost,
            "indh_contribution": cost / 2,
            "partner_contribution": Decimal("0.00"),
            "holder_contribution": cost / 2,
            "jobs": jobs,
        },
        "by_sector": [
            {
                "code": f"s{i}",
                "label": f"Secteur {i}",
                "projects": projects,
                "cooperatives": 0,
                "total_cost": cost,
                "indh_contribution": cost / 2,
            }
            for i in range(sectors)
        ],  # fmt: skip
        "by_year": [{"year": 2024}],
        "by_commune": [],
    }


def review_of(n, *, sectors=1):
    period = Period(2024, 2024)
    summary = summary_of(projects=n, cooperatives=n, sectors=sectors, jobs=n)
    figures = {
        "cooperative_projects": n,
        "cooperative_cost": summary["totals"]["total_cost"],
        "agreements": n,
        "agreements_cost": summary["totals"]["total_cost"],
        "agreements_indh": summary["totals"]["indh_contribution"],
    }
    previous = summary_of(projects=0, cooperatives=0, sectors=0)
    return Review(
        filters={}, period=period, summary=summary, figures=figures,
        previous_period=period.previous(), previous=previous,
    )  # fmt: skip


@pytest.mark.parametrize(
    "n, words",
    [
        (1, ["تم دعم مشروع واحد", "واستفادت من هذا الدعم تعاونية واحدة", "تم إحداث منصب شغل واحد",
             "تم توقيع اتفاقية شراكة واحدة"]),
        # A dual in the genitive after a verbal noun, in the nominative as a subject.
        (2, ["تم دعم مشروعين", "واستفادت من هذا الدعم تعاونيتان", "تم إحداث منصبي شغل",
             "تم توقيع اتفاقيتي شراكة"]),
        (3, ["تم دعم 3 مشاريع", "الدعم 3 تعاونيات", "تم إحداث 3 مناصب شغل", "تم توقيع 3 اتفاقيات شراكة"]),
        (10, ["تم دعم 10 مشاريع", "الدعم 10 تعاونيات", "تم توقيع 10 اتفاقيات شراكة"]),
        (11, ["تم دعم 11 مشروعا", "الدعم 11 تعاونية", "تم إحداث 11 منصب شغل", "تم توقيع 11 اتفاقية شراكة"]),
        (99, ["تم دعم 99 مشروعا", "الدعم 99 تعاونية", "تم توقيع 99 اتفاقية شراكة"]),
        (100, ["تم دعم 100 مشروع ", "الدعم 100 تعاونية", "تم توقيع 100 اتفاقية شراكة"]),
        (1250, ["تم دعم 1\u00a0250 مشروعا", "الدعم 1\u00a0250 تعاونية"]),
    ],
)  # fmt: skip
def test_arabic_sentences_agree_with_every_plural_category(n, words):
    text = " ".join(sentences(review_of(n), language="ar"))
    for expected in words:
        assert expected in text
    if n > 2:
        assert "مشروع واحد" not in text
        assert "تعاونية واحدة" not in text


@pytest.mark.parametrize(
    "n, words, wrong",
    [
        (1, ["1 projet a été soutenu", "1 coopérative a bénéficié", "1 emploi a été créé",
             "1 convention de partenariat a été signée"], ["1 projets", "1 coopératives", "elles portent"]),
        (2, ["2 projets ont été soutenus", "2 coopératives ont bénéficié", "2 emplois ont été créés",
             "2 conventions de partenariat ont été signées"], ["2 projet ", "a été soutenu"]),
        (150, ["150 projets ont été soutenus", "150 coopératives ont"], ["150 projet "]),
    ],
)  # fmt: skip
def test_french_sentences_agree_with_their_number(n, words, wrong):
    text = " ".join(sentences(review_of(n), language="fr"))
    for expected in words:
        assert expected in text
    for mistake in wrong:
        assert mistake not in text


def test_sectors_sentence_counts_the_sectors_in_each_language():
    assert "وشملت هذه المشاريع قطاعا واحدا:" in sentences(review_of(5, sectors=1), language="ar")[1]
    assert "وشملت هذه المشاريع قطاعين:" in sentences(review_of(5, sectors=2), language="ar")[1]
    assert "وشملت هذه المشاريع 4 قطاعات:" in sentences(review_of(5, sectors=4), language="ar")[1]
    assert "relèvent d'un seul secteur" in sentences(review_of(5, sectors=1), language="fr")[1]
    assert "entre 4 secteurs" in sentences(review_of(5, sectors=4), language="fr")[1]


def test_real_projects_read_in_the_dual(client):
    holder_a = make_holder(holder_type=HolderType.COOPERATIVE)
    holder_b = make_holder(holder_type=HolderType.COOPERATIVE)
    for holder in (holder_a, holder_b):
        make_project(holder=holder, year=2024, agreement_signed_on=datetime.date(2024, 3, 1))

    arabic = review_text(client, "lang=ar")

    assert "خلال سنة 2024، تم دعم مشروعين" in arabic
    assert "واستفادت من هذا الدعم تعاونيتان" in arabic
    assert "وشملت هذه المشاريع قطاعا واحدا: الفلاحة (مشروعان)" in arabic
    assert "تم توقيع اتفاقيتي شراكة" in arabic


def test_a_year_without_signed_agreements_says_so(client):
    make_project(year=2024, agreement_signed_on=None)

    assert "Aucune convention de partenariat n'a été signée au titre de 2024." in review_text(
        client, "lang=fr"
    )
    assert "ولم يتم توقيع أي اتفاقية شراكة برسم سنة 2024." in review_text(client, "lang=ar")


def test_projects_without_a_cooperative_say_so(client):
    make_project(holder=make_holder(holder_type=HolderType.ASSOCIATION), year=2024)

    assert "Aucun de ces projets n'a été porté par une coopérative." in review_text(client, "lang=fr")


def test_dates_are_written_the_moroccan_way():
    with translation.override("ar"):
        assert format_date(datetime.date(2026, 8, 1)) == "1 غشت 2026"
        assert format_date(datetime.date(2026, 11, 29)) == "29 نونبر 2026"
    with translation.override("fr"):
        assert format_date(datetime.date(2026, 3, 1)) == "1er mars 2026"


# --- Empty data and bad input ---------------------------------------------------------------------


def test_review_of_an_empty_database_says_there_is_nothing_yet(client):
    text = review_text(client, "lang=fr")

    assert text == "Aucun projet n'a encore été enregistré pour ces filtres."


def test_filters_matching_nothing_are_stated_for_the_period(client, demo_data):
    text = review_text(client, "lang=ar&year=2019&commune=el-borj")

    assert text == "خلال سنة 2019، لا يوجد أي مشروع يطابق هذه المعايير."


@pytest.mark.parametrize(
    "query",
    [
        "year_from=deux-mille",
        "sector=<script>alert(1)</script>",
        "year_from=2025&year_to=2019",
        "year=2024&year=2025",
        "commune=nowhere",
        "lang=xx",
    ],
)
@pytest.mark.parametrize("address", ["review", "review-xlsx"])
def test_bad_filters_get_a_clear_message_in_the_readers_language_and_no_figures(
    client, demo_data, query, address
):
    response = client.get(reverse(address) + "?" + query, HTTP_ACCEPT_LANGUAGE="fr")
    content = response.content.decode()

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Certains filtres ne sont pas valides" in content
    assert re.search(r'<div class="form-errors".*?<li>.+?</li>', content, re.S)
    assert "<script>alert(1)</script>" not in content
    assert 'class="review-text"' not in content


def test_sector_filter_limits_the_review_to_that_sector(client, demo_data):
    text = review_text(client, "lang=fr&sector=tourism")

    assert "De 2019 à 2025, 16 projets ont été soutenus" in text
    assert "Tous les projets relèvent d'un seul secteur\u00a0: Tourisme (16 projets)." in text


# --- Issue 14: what the data say ------------------------------------------------------------------


def test_review_says_how_many_projects_are_completed_in_progress_and_approved(client, demo_data):
    Project.objects.filter(code__in=["INDH-KHN-2025-094", "INDH-KHN-2025-095"]).update(
        status=ProjectStatus.APPROVED
    )
    counts = dict(Project.objects.values_list("status").annotate(n=Count("id")))
    done, ongoing = counts[ProjectStatus.COMPLETED], counts[ProjectStatus.IN_PROGRESS]
    assert counts[ProjectStatus.APPROVED] == 2 and done + ongoing + 2 == 99

    french = review_text(client, "lang=fr")
    arabic = review_text(client, "lang=ar")
    english = review_text(client, "lang=en")

    assert f"Parmi ces projets, {done} sont achevés, {ongoing} sont en cours et 2 sont approuvés." in french
    assert (
        f"Of these projects, {done} are completed, {ongoing} are in progress and 2 are approved." in english
    )
    # Both counts are from 11 to 99 in the demo: the accusative singular (مشروعا منجزا).
    assert f"ومن بين هذه المشاريع {done} مشروعا منجزا، {ongoing} مشروعا في طور الإنجاز" in arabic
    assert "ومشروعان مصادق عليهما." in arabic


@pytest.mark.parametrize(
    "status, n, phrase",
    [
        (ProjectStatus.COMPLETED, 1, "مشروع واحد منجز"),
        (ProjectStatus.COMPLETED, 2, "مشروعان منجزان"),
        (ProjectStatus.COMPLETED, 3, "3 مشاريع منجزة"),
        (ProjectStatus.COMPLETED, 70, "70 مشروعا منجزا"),
        (ProjectStatus.COMPLETED, 100, "100 مشروع منجز"),
        (ProjectStatus.IN_PROGRESS, 21, "21 مشروعا في طور الإنجاز"),
        (ProjectStatus.APPROVED, 8, "8 مشاريع مصادق عليها"),
        (ProjectStatus.APPROVED, 12, "12 مشروعا مصادقا عليه"),
        (ProjectStatus.PROGRAMMED, 2, "مشروعان مبرمجان"),
        (ProjectStatus.CANCELLED, 5, "5 مشاريع ملغاة"),
    ],
)
def test_arabic_status_counts_take_the_form_of_their_plural_category(status, n, phrase):
    review = review_of(n)
    review.summary["by_status"] = [{"code": status, "label": "", "projects": n, "total_cost": Decimal(0)}]

    assert f"ومن بين هذه المشاريع {phrase}." in sentences(review, language="ar")[0]


def test_review_is_dated_by_the_last_change_of_the_data_not_by_the_day_it_is_read(client, monkeypatch):
    make_project(year=2024)
    # 09:05 UTC is 10:05 in Casablanca (UTC+1 outside Ramadan).
    moment = datetime.datetime(2026, 11, 14, 9, 5, tzinfo=datetime.UTC)
    monkeypatch.setattr("funding.queries.last_updated", lambda: moment)

    content = html.unescape(client.get(in_language("review", "lang=fr")).content.decode())
    source = re.search(r'<p class="review-source">(.*?)</p>', content, re.S).group(1)

    assert "à la date du 14 novembre 2026 à 10:05" in " ".join(source.split())


def test_dashboard_shows_the_total_cost_of_the_cooperatives_projects(client, demo_data):
    french = client.get(in_language("funding:dashboard", "lang=fr")).content.decode()
    arabic = client.get(in_language("funding:dashboard", "lang=ar")).content.decode()
    associations = client.get(in_language("funding:dashboard", "lang=fr&holder_type=association"))

    # A figure's value is a link to its projects (issue 17): the text is what the reader sees.
    def without_links(text):
        return re.sub(r"</?a\b[^>]*>", "", text)

    figures = without_links(re.search(r'<dl class="figures">.*?</dl>', french, re.S).group(0))
    assert "<dt>Portés par des coopératives\u00a0: coût total</dt><dd>81,70 MDH</dd>" in figures
    label = "مشاريع التعاونيات: التكلفة الإجمالية"
    assert f"<dt>{label}</dt><dd>81,70 مليون درهم</dd>" in without_links(arabic)
    assert "coût total</dt><dd>0,00 MDH</dd>" in associations.content.decode()


def test_demo_agreements_of_2025_are_all_signed_with_cooperatives(demo_data):
    year_2025 = Project.objects.filter(year=2025)

    assert year_2025.count() == 13
    assert not year_2025.exclude(holder__holder_type=HolderType.COOPERATIVE).exists()
