"""Province scoping: which province's holders and projects a staff account may see and change.

The one place that decides it. A superuser sees every province; any other account sees the provinces it is
assigned to (cooperatives.ProvinceAssignment), and nothing at all while it has none: forgetting to assign a
province must never open the whole country.

The admin uses it through ProvinceScopedAdminMixin (lists, change/delete/history pages, bulk actions,
autocomplete, foreign-key choices, export); the import calls out_of_scope_communes() to refuse rows of
another province.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404

ALL = None


def provinces_for(user):
    """None for "every province", else the frozenset of the province ids the account may work on."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ALL
    # Cached on the user object, which lives for one request: the admin asks many times per page.
    cached = getattr(user, "_scoping_province_ids", None)
    if cached is None:
        from cooperatives.models import ProvinceAssignment

        cached = frozenset(ProvinceAssignment.objects.filter(user=user).values_list("province_id", flat=True))
        user._scoping_province_ids = cached
    return cached


def scope(queryset, user, province_lookup):
    """Keep the rows of `queryset` whose province (reached through `province_lookup`) the user may see."""
    provinces = provinces_for(user)
    if provinces is ALL:
        return queryset
    return queryset.filter(**{f"{province_lookup}__in": provinces})


def province_id_of(obj, province_lookup):
    """The province id of an object, following a lookup such as "project__commune__province"."""
    *path, last = province_lookup.split("__")
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def in_scope(user, obj, province_lookup):
    provinces = provinces_for(user)
    return provinces is ALL or province_id_of(obj, province_lookup) in provinces


def out_of_scope_communes(user, commune_ids):
    """The ids among `commune_ids` that lie outside the user's provinces (empty for a superuser).

    An import rejects a row whose commune is one of them: an official may not create or update another
    province's project or holder by uploading a workbook.
    """
    provinces = provinces_for(user)
    if provinces is ALL:
        return set()
    from cooperatives.models import Commune

    ids = {commune_id for commune_id in commune_ids if commune_id is not None}
    allowed = set(Commune.objects.filter(pk__in=ids, province__in=provinces).values_list("pk", flat=True))
    return ids - allowed


def scoped_choices_lookup(model):
    """How a foreign-key target is scoped when offered as a choice, or None when it is not province data."""
    from cooperatives.models import Commune, Holder
    from funding.models import Project

    return {Commune: "province", Holder: "commune__province", Project: "commune__province"}.get(model)


class ProvinceScopedAdminMixin:
    """Limits a ModelAdmin or inline to the provinces of the signed-in account.

    `province_lookup` is the path from the admin's model to its province. Everything the admin reads goes
    through get_queryset (lists, search, change, delete, bulk actions, export, the autocomplete of the
    model), foreign-key choices through formfield_for_foreignkey (so a posted id from another province
    is "not a valid choice"), and the history pages of django-simple-history are checked here too, because
    they read the historical tables directly.
    """

    province_lookup = "commune__province"

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, self.province_lookup)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        lookup = scoped_choices_lookup(db_field.related_model)
        if lookup is not None:
            queryset = kwargs.get("queryset")
            if queryset is None:
                queryset = db_field.related_model._default_manager.all()
            kwargs["queryset"] = scope(queryset, request.user, lookup)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self._obj_in_scope(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self._obj_in_scope(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        if obj is not None and not self._obj_in_scope(request, obj):
            return False
        return super().has_view_permission(request, obj)

    def _obj_in_scope(self, request, obj):
        # Inlines are asked with the parent object, whose province is reached through "commune__province".
        lookup = self.province_lookup if isinstance(obj, self.model) else "commune__province"
        return in_scope(request.user, obj, lookup)

    # --- django-simple-history pages -------------------------------------------------------------
    def history_view(self, request, object_id, extra_context=None):
        self._check_history_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_history_in_scope(request, object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def _check_history_in_scope(self, request, object_id, version_id=None):
        """The history of an object is readable when the object is, or — once deleted — when its last
        recorded version was in the account's provinces. An old version must lie in them too: reading it
        would show another province's row, and reverting to it would move the object there."""
        if provinces_for(request.user) is ALL:
            return
        history_model = self.model.history.model
        this_object = {self.model._meta.pk.attname: unquote(object_id)}
        try:
            if self.get_object(request, unquote(object_id)) is not None:
                latest = None
            else:
                records = history_model.objects.filter(**this_object)
                latest = records.order_by("-history_date", "-history_id").first()
                if latest is None:
                    raise Http404
            for pk in {version_id, latest and latest.pk} - {None}:
                version = history_model.objects.filter(pk=pk, **this_object)
                if not scope(version, request.user, self.province_lookup).exists():
                    raise Http404
        except (ValueError, ValidationError):
            raise Http404 from None
