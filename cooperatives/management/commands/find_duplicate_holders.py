from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperatives.duplicates import duplicate_groups
from cooperatives.models import Holder, Province


class Command(BaseCommand):
    help = (
        "List the groups of probable duplicate holders (same province and type; same registration number, "
        "or the same name once case, accents, punctuation and legal form are set aside). Changes nothing: "
        "a validator merges them on the admin's duplicates page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", metavar="CODE", help="only the holders of this province (its code)")

    def handle(self, *args, province=None, **options):
        # Messages in the site's language (LANGUAGE_CODE), like import_projects.
        holders = Holder.objects.all()
        if province is not None:
            found = Province.objects.filter(code=province).first()
            if found is None:
                raise CommandError(_("No province with the code %(code)s.") % {"code": province})
            holders = holders.filter(province=found)
        groups = duplicate_groups(holders)
        for number, group in enumerate(groups, start=1):
            reasons = _("; ").join(str(label) for label in group.reason_labels)
            self.stdout.write(
                f"{number}. {group.province.code} — {group.holders[0].get_holder_type_display()} — {reasons}"
            )
            for holder in group.holders:
                number_text = holder.registration_number or "—"
                self.stdout.write(f"   #{holder.pk}  {holder.name}  [{number_text}]  {holder.commune}")
        self.stdout.write(
            ngettext(
                "%(count)d group of probable duplicates.",
                "%(count)d groups of probable duplicates.",
                len(groups),
            )
            % {"count": len(groups)}
        )
