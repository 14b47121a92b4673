"""Accent-, case- and letter-variant-blind text search for the public holder directory.

Both sides of a comparison go through one database function, ``indh_fold``: on PostgreSQL a
SQL function over ``unaccent`` (migration cooperatives 0008, with trigram indexes on the folded
holder names and project titles), on SQLite the Python ``fold`` below, registered on every
connection. Nothing is stored, so the bulk imports (bulk_create, COPY) have nothing to keep up.
"""

import unicodedata

from django.db.models import CharField, Func

FOLD_FUNCTION = "indh_fold"
# Arabic letter variants a reader types interchangeably: hamza-carrying alefs, alef wasla and
# madda to the bare alef, tā' marbūṭa to hā', alef maqṣūra to yā'. The same table is in the
# PostgreSQL function (migration 0008), which must stay its twin.
# The tatweel (a stretching stroke) and apostrophes are dropped (M'Rirt, Mrirt), a hyphen is a
# space (Aït-Ishaq, Ait Ishaq); short vowels and shadda go with the accents; ligatures as
# PostgreSQL's unaccent writes them.
FOLDED = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "-": " "}
    | {"ـ": None, "'": None, "’": None, "‘": None}
    | {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"}
)


def fold(value):
    """The text a search compares: lower case, without accents or Arabic marks, variants folded."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value.translate(FOLDED))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.lower().translate(FOLDED)


class Fold(Func):
    """``indh_fold(expression)``: the folded text, served by the trigram indexes on PostgreSQL."""

    function = FOLD_FUNCTION
    output_field = CharField()


def register_fold(sender, connection, **kwargs):
    """Give each new SQLite connection the fold function (PostgreSQL has it from a migration)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)
