"""Probable duplicate holders: the one detection behind the admin's duplicates page, the data-quality
page and ``find_duplicate_holders``.

Two holders of the same province and type are probably one when
- their registration numbers are equal once case, spaces, punctuation and leading zeros are set
  aside ("00457" / "457", "2015/12" / "2015-12"; equal numbers cannot both be stored in one province);
- or their names are equal once case, accents, Arabic letter variants (the directory search's
  ``fold``), punctuation and the legal-form words below are set aside: «Coopérative Al Amal» and
  «COOP. AL-AMAL», «تعاونية الأمل» and «تعاونيه الامل».
Holders linked by either reason, directly or through a third one, form one group.

No model is imported here: cooperatives.models computes an alias' key with duplicate_key().
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cooperatives.search import fold

# Words naming the legal form rather than the holder, as fold() writes them: "Coopérative", "Coop.",
# "Cooperative", "Association", "Assoc.", تعاونية and جمعية (with or without the article).
LEGAL_FORM_WORDS = frozenset(
    fold(word)
    for word in (
        "Coopérative",
        "Cooperative",
        "Coop",
        "Association",
        "Assoc",
        "تعاونية",
        "التعاونية",
        "جمعية",
        "الجمعية",
    )
)
# Letters and digits of any script; everything else (punctuation, spaces, "_") separates words.
_WORD = re.compile(r"[^\W_]+")

SAME_REGISTRATION = "registration"
SAME_NAME = "name"
REASONS = {
    SAME_REGISTRATION: _("same registration number"),
    SAME_NAME: _("same name once case, accents, punctuation and legal form are set aside"),
}


def duplicate_key(name):
    """The name two spellings of one holder share: «COOP. AL-AMAL» → "al amal"; "" when only a legal
    form is left."""
    words = _WORD.findall(fold(name or ""))
    return " ".join(word for word in words if word not in LEGAL_FORM_WORDS)


def registration_key(number):
    """The registration number compared: letters and digits only, without leading zeros."""
    if not number:
        return ""
    return "".join(_WORD.findall(fold(number))).lstrip("0") or "0"


@dataclass
class DuplicateGroup:
    """Holders of one province and type that are probably one, and why (REASONS keys)."""

    holders: list
    reasons: list

    @property
    def province(self):
        return self.holders[0].province

    @property
    def holder_type(self):
        return self.holders[0].holder_type

    @property
    def reason_labels(self):
        return [REASONS[reason] for reason in self.reasons]

    @property
    def ids(self):
        return [holder.pk for holder in self.holders]


def duplicate_groups(holders):
    """The groups of probable duplicates among ``holders`` (a queryset, already scoped by the caller),
    each group's holders in id order with their ``project_count``; groups by province and name."""
    buckets = defaultdict(list)
    rows = holders.order_by().values_list("pk", "name", "registration_number", "province_id", "holder_type")
    for pk, name, number, province_id, holder_type in rows.iterator():
        place = (province_id, holder_type)
        if key := duplicate_key(name):
            buckets[(place, SAME_NAME, key)].append(pk)
        if key := registration_key(number):
            buckets[(place, SAME_REGISTRATION, key)].append(pk)
    linked = [(reason, ids) for (_place, reason, _key), ids in buckets.items() if len(ids) > 1]
    if not linked:
        return []

    parent = {}

    def root(pk):
        while parent.setdefault(pk, pk) != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for _reason, ids in linked:
        for pk in ids[1:]:
            parent[root(pk)] = root(ids[0])
    members, reasons = defaultdict(set), defaultdict(set)
    for reason, ids in linked:
        top = root(ids[0])
        members[top].update(ids)
        reasons[top].add(reason)
    by_id = (
        holders.model.objects.select_related("commune", "province")
        .annotate(project_count=Count("projects"))
        .in_bulk([pk for ids in members.values() for pk in ids])
    )
    groups = [
        DuplicateGroup(
            holders=[by_id[pk] for pk in sorted(ids)],
            reasons=[reason for reason in REASONS if reason in reasons[top]],
        )
        for top, ids in members.items()
    ]
    return sorted(
        groups, key=lambda group: (group.province.code, duplicate_key(group.holders[0].name), group.ids)
    )
