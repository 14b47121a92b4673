"""Writes on holders that take several steps, each as one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cooperatives.models import Holder, HolderAlias
from funding.models import Project
from indh_site.scoping import in_scope

MERGE_PERMISSION = "cooperatives.merge_holder"
# Details the holder that stays takes from an absorbed one when it has none of its own.
FILLED_FROM_ABSORBED = ("registration_number", "ice", "main_sector_id", "created_on", "phone", "email")


def merge_holders(*, keep, absorbed, user):
    """Merge the holders ``absorbed`` into ``keep``: their projects move to it, their names become its
    aliases (matched by later imports), the details ``keep`` lacks are taken from them, and they are
    deleted. Every row written is recorded in the history with ``user`` and the reason.

    Raises PermissionDenied when ``user`` may not merge these holders, ValidationError when they are
    not of one province and one type (or are gone). Returns the holder that stays.
    """
    if user is None or not user.has_perm(MERGE_PERMISSION):
        raise PermissionDenied
    absorbed_ids = sorted({holder.pk for holder in absorbed} - {keep.pk})
    if not absorbed_ids:
        raise ValidationError(_("Choose at least one other holder to merge into the one that stays."))
    with transaction.atomic():
        # Locked in id order, so two merges of overlapping groups wait for each other.
        locked = Holder.objects.select_for_update().order_by("pk").in_bulk([keep.pk, *absorbed_ids])
        if len(locked) != len(absorbed_ids) + 1:
            raise ValidationError(_("One of these holders no longer exists: reload the page."))
        keep = locked[keep.pk]
        absorbed = [locked[pk] for pk in absorbed_ids]
        if not all(in_scope(user, holder, "province") for holder in [keep, *absorbed]):
            raise PermissionDenied
        if any(h.province_id != keep.province_id or h.holder_type != keep.holder_type for h in absorbed):
            raise ValidationError(_("Only holders of the same province and the same type can be merged."))
        known = set(keep.aliases.values_list("name", flat=True)) | {keep.name}
        for holder in absorbed:
            _move_projects(holder, keep, user)
            holder.aliases.update(holder=keep)
            if holder.name not in known:
                HolderAlias.objects.create(holder=keep, name=holder.name)
                known.add(holder.name)
            for field in FILLED_FROM_ABSORBED:
                if getattr(keep, field) in (None, "") and getattr(holder, field) not in (None, ""):
                    setattr(keep, field, getattr(holder, field))
            holder._history_user = user
            holder._change_reason = _reason(_("merged into holder %(name)s"), keep)
            holder.delete()
        keep._history_user = user
        keep._change_reason = _reason(
            _("merged with %(names)s"), names=", ".join(holder.name for holder in absorbed)
        )
        # After the deletions: a registration number or ICE taken over was still the absorbed one's.
        keep.save()
    return keep


def _move_projects(holder, keep, user):
    # One save per project: each gets its own historical record with the reason and the user (a
    # holder carries a handful of projects).
    reason = _reason(_("merged from holder %(name)s"), holder)
    for project in Project.objects.select_for_update().filter(holder=holder).order_by("pk"):
        project.holder = keep
        project._history_user = user
        project._change_reason = reason
        project.save()


def _reason(message, holder=None, **values):
    # history_change_reason is 100 characters long.
    if holder is not None:
        values["name"] = holder.name
    return (message % values)[:100]
