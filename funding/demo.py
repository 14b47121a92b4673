"""An illustrative Khénifra dataset whose totals reproduce the published figures.

The names are invented. The twelve projects of the sample workbooks are part of it,
exactly as the samples write them, so importing a sample into the demo database
changes nothing. The other 87 are drawn from a seeded random generator and then
adjusted so that every published total (brief.md) comes out exact:

- 99 projects 2019–2025 costing 89,420,000.00 MAD, INDH 42,210,000.00 MAD;
- 71 projects carried by 71 distinct cooperatives, costing 81,700,000.00 MAD;
- sectors: agriculture 39, handicrafts 44, tourism 16;
- 2025: 13 projects (13 agreements signed with beneficiary cooperatives, as the report says),
  2,230,000.00 MAD, INDH 2,010,000.00 MAD.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from cooperatives.models import Commune, Holder, HolderType, Sector
from funding.models import Disbursement, Partner, PartnerContribution, Programme, Project, ProjectStatus

SEED = 2025
COOP, ASSOC, YOUNG = HolderType.COOPERATIVE, HolderType.ASSOCIATION, HolderType.YOUNG_ENTREPRENEUR

# Published totals (brief.md), in MAD.
TOTAL_COST = 89_420_000
COOPERATIVES_COST = 81_700_000
INDH_TOTAL = 42_210_000
COST_2025 = 2_230_000
INDH_2025 = 2_010_000
PROJECTS_PER_YEAR = {2019: 10, 2020: 14, 2021: 18, 2022: 16, 2023: 15, 2024: 13, 2025: 13}
PROJECTS_PER_SECTOR = {"agriculture": 39, "handicrafts": 44, "tourism": 16}
# The report's 13 agreements of 2025 were signed with beneficiary cooperatives: every 2025
# project is a cooperative's.
COOPERATIVES_IN_2025 = PROJECTS_PER_YEAR[2025]
ASSOCIATIONS = 20  # the other 8 non-cooperative holders are young entrepreneurs
# How the cooperatives' and the others' costs split between 2025 and the earlier years.
COST_CELLS = {(True, COOP): COST_2025, (True, "other"): 0}
COST_CELLS[(False, COOP)] = COOPERATIVES_COST - COST_CELLS[(True, COOP)]
COST_CELLS[(False, "other")] = TOTAL_COST - COOPERATIVES_COST - COST_CELLS[(True, "other")]

# The sample workbooks' rows: code, title, holder, type, registration, sector, commune, year,
# cost, INDH, partners, holder, status, signed on, jobs, members.
SAMPLE_ROWS = [
    ("INDH-KHN-2021-084", "Couture — Sidi Hcine", "Coopérative Atlas Couture 57", COOP, "05483", "handicrafts", "sidi-hcine", 2021, 2105000, 796531, 621346, 687123, "completed", (2021, 12, 28), 21, 42),
    ("INDH-KHN-2021-068", "Couture — Moha Ou Hammou Zayani", "Association Azegza pour le développement 67", ASSOC, None, "handicrafts", "moha-ou-hammou-zayani", 2021, 318000, 186083, 46855, 85062, "completed", (2021, 8, 8), 3, 83),
    ("INDH-KHN-2025-095", "Gîte rural — El Kbab", "Coopérative Tanfite Gîte 67", COOP, "KHN-2024-067", "tourism", "el-kbab", 2025, 123000, 109657, 406, 12937, "in_progress", (2025, 5, 24), 0, 37),
    ("INDH-KHN-2020-035", "Unité de conditionnement de miel — M'Rirt", "Association Oum Rabia pour le développement 34", ASSOC, None, "agriculture", "mrirt", 2020, 424000, 150250, 48365, 112692, "completed", (2020, 7, 28), 16, 50),
    ("INDH-KHN-2024-053", "Production d'olives — Sebt Aït Rahou", "تعاونية الخير للزيتون 36", COOP, "KHN-2022-036", "agriculture", "sebt-ait-rahou", 2024, 1520000, 911819, 286441, 321740, "in_progress", (2024, 11, 12), 3, 30),
    ("INDH-KHN-2021-061", "Couture — Kerrouchen", "تعاونية أجدير للأعشاب 42", COOP, "00859", "handicrafts", "kerrouchen", 2021, 846000, 406365, 19559, 420076, "completed", (2021, 6, 17), 18, 54),
    ("INDH-KHN-2019-001", "Maroquinerie — Had Bouhssoussen", "Association Tazizaout pour le développement 0", ASSOC, None, "handicrafts", "had-bouhssoussen", 2019, 403000, 223787, 113052, 66161, "completed", (2019, 3, 22), 2, 111),
    ("INDH-KHN-2023-030", "Arboriculture — M'Rirt", "Coopérative Ait Bouhou Arboriculture 18", COOP, None, "agriculture", "mrirt", 2023, 2166000, 799102, 757088, 609810, "completed", (2023, 7, 4), 17, 57),
    ("INDH-KHN-2025-094", "Tissage — Tighassaline", "تعاونية أزكزا للسياحة الجبلية 66", COOP, "80261", "handicrafts", "tighassaline", 2025, 167000, 146501, 2060, 18439, "in_progress", (2025, 4, 19), 13, 52),
    ("INDH-KHN-2024-051", "Plantes aromatiques — Aguelmam Azegza", "Coopérative Aroggou Plantes 35", COOP, None, "agriculture", "aguelmam-azegza", 2024, 918000, 541300, 132318, 244382, "completed", (2024, 5, 27), 15, 40),
    ("INDH-KHN-2021-082", "Maroquinerie — Aguelmam Azegza", "Coopérative Imouzzer Maroquinerie 55", COOP, None, "handicrafts", "aguelmam-azegza", 2021, 861000, 357663, 167581, 335756, "completed", (2021, 1, 15), 3, 45),
    ("INDH-KHN-2020-013", "Travail du bois — Sebt Aït Rahou", "Coopérative Aroggou Travail 6", COOP, "04134", "handicrafts", "sebt-ait-rahou", 2020, 1148000, 616959, 200517, 330524, "completed", (2020, 6, 8), 20, 54),
]  # fmt: skip

ACTIVITIES = {
    "agriculture": ["Apiculture", "Arboriculture", "Élevage ovin", "Production d'olives", "Plantes aromatiques", "Maraîchage"],
    "handicrafts": ["Tissage", "Couture", "Maroquinerie", "Travail du bois", "Poterie", "Broderie"],
    "tourism": ["Gîte rural", "Randonnée", "Auberge", "Restauration"],
}  # fmt: skip
PLACES = [
    "Atlas",
    "Azegza",
    "Tanfite",
    "Aroggou",
    "Imouzzer",
    "Ait Bouhou",
    "Tazizaout",
    "Oum Rabia",
    "Zayane",
]
ARABIC_WORDS = ["الخير", "الأمل", "النور", "أجدير", "الأطلس", "الوفاء", "الفتح"]


@dataclass
class DemoProject:
    code: str
    title: str
    holder_name: str
    holder_type: str
    registration_number: str | None
    sector: str
    commune: str
    year: int
    total_cost: int
    indh: int
    partners: int
    holder_share: int
    status: str
    signed_on: datetime.date
    jobs: int
    members: int
    extra: dict = field(default_factory=dict)


def _split(total, weights, step=1000):
    """Split an integer total in proportion to weights, rounded to `step`; the last part takes the rest."""
    scale = sum(weights)
    parts = [max(step, round(total * w / scale / step) * step) for w in weights[:-1]]
    parts.append(total - sum(parts))
    assert parts[-1] > 0, "demo split produced a non-positive part"
    return parts


def build_projects():
    """The 99 demo projects, deterministic for a given SEED."""
    rng = random.Random(SEED)
    projects = [
        DemoProject(*row[:13], datetime.date(*row[13]), *row[14:]) for row in SAMPLE_ROWS
    ]  # fmt: skip
    used_numbers = {int(p.code[-3:]) for p in projects}
    free_numbers = iter(n for n in range(1, 100) if n not in used_numbers)

    # Slots still to fill: years, sectors and holder types in the published proportions.
    years = [y for y, n in PROJECTS_PER_YEAR.items() for _ in range(n)]
    for p in projects:
        years.remove(p.year)
    sectors = [s for s, n in PROJECTS_PER_SECTOR.items() for _ in range(n)]
    for p in projects:
        sectors.remove(p.sector)
    rng.shuffle(sectors)
    years.sort()
    coops_2025 = COOPERATIVES_IN_2025 - sum(1 for p in projects if p.year == 2025 and p.holder_type == COOP)
    coops_other = (
        71 - COOPERATIVES_IN_2025 - sum(1 for p in projects if p.year != 2025 and p.holder_type == COOP)
    )
    associations = ASSOCIATIONS - sum(1 for p in projects if p.holder_type == ASSOC)
    types_2025 = [COOP] * coops_2025
    types_2025 += [ASSOC, YOUNG, YOUNG][: years.count(2025) - coops_2025]
    types_other = [COOP] * coops_other + [ASSOC] * (associations - types_2025.count(ASSOC))
    types_other += [YOUNG] * (len(years) - len(types_2025) - len(types_other))
    rng.shuffle(types_other)
    types = iter(types_other)
    communes = [row[2] for row in _COMMUNE_CODES]

    generated = []
    for index, (year, sector) in enumerate(zip(years, sectors, strict=True)):
        holder_type = types_2025[years[: index + 1].count(2025) - 1] if year == 2025 else next(types)
        number = next(free_numbers)
        commune = rng.choice(communes)
        activity = rng.choice(ACTIVITIES[sector])
        place = rng.choice(PLACES)
        if holder_type == COOP:
            name = (
                f"Coopérative {place} {activity.split()[0]} {number}"
                if rng.random() < 0.6
                else f"تعاونية {rng.choice(ARABIC_WORDS)} {number}"
            )
        elif holder_type == ASSOC:
            name = f"Association {place} pour le développement {number}"
        else:
            name = f"Entreprise {place} {activity.split()[0]} {number}"
        generated.append(
            DemoProject(
                code=f"INDH-KHN-{year}-{number:03d}",
                title=f"{activity} — {_COMMUNE_NAMES[commune]}",
                holder_name=name,
                holder_type=holder_type,
                registration_number=f"KHN-{year - 1}-{number:03d}" if holder_type == COOP else None,
                sector=sector,
                commune=commune,
                year=year,
                total_cost=0,
                indh=0,
                partners=0,
                holder_share=0,
                status=ProjectStatus.IN_PROGRESS if year >= 2024 else ProjectStatus.COMPLETED,
                signed_on=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                jobs=rng.randint(0, 25),
                members=rng.randint(12, 120),
            )
        )
    _fill_costs(generated, projects, rng)
    _fill_indh(generated, projects, rng)
    for p in generated:
        rest = p.total_cost - p.indh
        p.partners = round(rest * rng.uniform(0.2, 0.6))
        p.holder_share = rest - p.partners
    return sorted(projects + generated, key=lambda p: p.code)


def _cell(project):
    return (project.year == 2025, COOP if project.holder_type == COOP else "other")


def _fill_costs(generated, fixed, rng):
    for cell, total in COST_CELLS.items():
        members = [p for p in generated if _cell(p) == cell]
        if not members:
            continue  # no holder other than a cooperative in 2025
        remaining = total - sum(p.total_cost for p in fixed if _cell(p) == cell)
        for p, cost in zip(members, _split(remaining, [rng.uniform(0.5, 1.5) for _ in members]), strict=True):
            p.total_cost = cost


def _fill_indh(generated, fixed, rng):
    for is_2025, total in ((True, INDH_2025), (False, INDH_TOTAL - INDH_2025)):
        members = [p for p in generated if (p.year == 2025) == is_2025]
        remaining = total - sum(p.indh for p in fixed if (p.year == 2025) == is_2025)
        share = remaining / sum(p.total_cost for p in members)
        # Each project's INDH share around the average, capped at its cost; the last one balances.
        weights = [p.total_cost * min(share * rng.uniform(0.85, 1.15), 0.95) / share for p in members]
        parts = _split(remaining, weights, step=1)
        for p, indh in zip(members, parts, strict=True):
            p.indh = indh
        assert all(0 < p.indh <= p.total_cost for p in members), "demo INDH share out of bounds"


_COMMUNE_CODES = [
    ("Khénifra", "خنيفرة", "khenifra"),
    ("M'Rirt", "مريرت", "mrirt"),
    ("Aguelmam Azegza", "أكلمام أزكزا", "aguelmam-azegza"),
    ("Aguelmous", "أكلموس", "aguelmous"),
    ("Aït Ishaq", "آيت إسحاق", "ait-ishaq"),
    ("El Kbab", "القباب", "el-kbab"),
    ("Kerrouchen", "كروشن", "kerrouchen"),
    ("Lehri", "لهري", "lehri"),
    ("Moulay Bouazza", "مولاي بوعزة", "moulay-bouazza"),
    ("Ouaoumana", "واومانة", "ouaoumana"),
    ("Sebt Aït Rahou", "سبت آيت رحو", "sebt-ait-rahou"),
    ("Sidi Lamine", "سيدي لامين", "sidi-lamine"),
    ("Tighassaline", "تيغسالين", "tighassaline"),
]
_COMMUNE_NAMES = {code: fr for fr, _ar, code in _COMMUNE_CODES}


@transaction.atomic
def load_demo_data():
    """Create or bring up to date the demo holders and projects; returns (created, updated, unchanged).

    Idempotent: a second run finds every row as it left it and writes nothing.
    """
    sectors = {s.code: s for s in Sector.objects.all()}
    communes = {c.code: c for c in Commune.objects.all()}
    programme = Programme.objects.get(code="P3")
    partners = {p.code: p for p in Partner.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}

    for number, demo in enumerate(build_projects(), start=1):
        holder, _state = _upsert(
            Holder,
            lookup=(
                {"registration_number": demo.registration_number}
                if demo.registration_number
                else {"name": demo.holder_name, "commune": communes[demo.commune]}
            ),
            values={
                "name": demo.holder_name,
                "registration_number": demo.registration_number,
                "holder_type": demo.holder_type,
                "commune": communes[demo.commune],
                "main_sector": sectors[demo.sector],
                "members_total": demo.members,
                "members_women": demo.members * (3 + number % 5) // 10,
                "members_under_35": demo.members * (2 + number % 4) // 10,
                "created_on": datetime.date(demo.year - 1 - number % 6, 1 + number % 12, 1 + number % 28),
                # Invented, and private: these must never appear on a public page.
                "phone": f"+212 6{number:02d} {number * 37 % 100:02d} {number * 53 % 100:02d} {number:02d}",
                "email": f"contact.demo{number:03d}@example.ma",
                "is_demo": True,
            },
        )
        project, state = _upsert(
            Project,
            lookup={"code": demo.code},
            values=_project_values(demo, holder, sectors, communes, programme),
        )
        counts[state] += 1
        if state == "created":
            _add_details(project, demo, number, partners)
    return counts


def _upsert(model, *, lookup, values):
    """Create, update or leave alone one row; returns (instance, "created" | "updated" | "unchanged")."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        return model.objects.create(**{**lookup, **values}), "created"
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        return instance, "unchanged"
    for name in changed:
        setattr(instance, name, values[name])
    instance.save()
    return instance, "updated"


def _project_values(demo, holder, sectors, communes, programme):
    return {
        "title": demo.title,
        "holder": holder,
        "sector": sectors[demo.sector],
        "commune": communes[demo.commune],
        "programme": programme,
        "year": demo.year,
        "status": demo.status,
        "total_cost": Decimal(demo.total_cost),
        "indh_contribution": Decimal(demo.indh),
        "partner_contribution": Decimal(demo.partners),
        "holder_contribution": Decimal(demo.holder_share),
        "jobs_created": demo.jobs,
        "agreement_number": f"CONV-{demo.code[4:]}",
        "agreement_signed_on": demo.signed_on,
        "is_demo": True,
    }


def _add_details(project, demo, number, partners):
    """Partner detail on some projects, disbursements on all: enough to show what the admin holds."""
    if number % 4 == 0 and demo.partners > 1:
        council = demo.partners // 2
        PartnerContribution.objects.create(
            project=project, partner=partners["provincial-council"], amount=council
        )
        PartnerContribution.objects.create(
            project=project, partner=partners["odco"], amount=demo.partners - council
        )
    first = Decimal(demo.indh) / 2
    first = first.quantize(Decimal("0.01"))
    Disbursement.objects.create(
        project=project, released_on=demo.signed_on, amount=first, reference=f"OV-{demo.code[9:]}-1"
    )
    if demo.status == ProjectStatus.COMPLETED:
        Disbursement.objects.create(
            project=project,
            released_on=demo.signed_on + datetime.timedelta(days=180),
            amount=Decimal(demo.indh) - first,
            reference=f"OV-{demo.code[9:]}-2",
        )
