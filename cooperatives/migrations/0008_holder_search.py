"""The public directory's search (issue 14), PostgreSQL side: the ``indh_fold`` function and the
trigram indexes that serve it.

``indh_fold(text)`` lowers the text, strips accents (unaccent) and folds Arabic letter variants
(أ إ آ ٱ → ا, ة → ه, ى → ي; short vowels, tatweel and apostrophes dropped, a hyphen made a
space), like cooperatives.search.fold, which SQLite runs instead. It is IMMUTABLE so an index can
be built on it; unaccent is called with its dictionary and schema spelled out, so the result
does not depend on search_path. PL/pgSQL rather than SQL: a SQL function calling the STABLE
unaccent is not inlined, and each call then costs more than the folding itself (an index scan
runs it again on every row it rechecks).

The indexes serve the directory's ``indh_fold(column) LIKE '%…%'``:
- coop_holder_name_fold_trgm_idx: the holders whose name contains the words;
- fund_proj_title_fold_trgm_idx: the holders of the projects whose title contains them (a
  million projects nationally: without it every title would be folded for each search).
Communes (1,503 nationally) are folded on the fly. unaccent and pg_trgm are trusted extensions.
Nothing is stored: bulk imports (COPY, bulk_create) have no column to keep up to date.
"""

from django.db import migrations

POSTGRES = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE OR REPLACE FUNCTION indh_fold(value text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    folded text := lower(public.unaccent('public.unaccent'::regdictionary, value));
BEGIN
    -- Latin text is plain ASCII once unaccented: translate() over the Arabic letters would
    -- cost more than the rest of the function on every French name and title.
    IF octet_length(folded) = length(folded) THEN
        RETURN replace(replace(folded, '-', ' '), '''', '');
    END IF;
    RETURN translate(folded, 'أإآٱةى-''ـًٌٍَُِّْٰ', 'ااااهي ');
END
$$;
CREATE INDEX IF NOT EXISTS coop_holder_name_fold_trgm_idx
    ON cooperatives_holder USING gin (indh_fold(name) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS fund_proj_title_fold_trgm_idx
    ON funding_project USING gin (indh_fold(title) gin_trgm_ops);
-- Statistics on the new expressions, so the planner sees how many rows a search matches.
ANALYZE cooperatives_holder;
ANALYZE funding_project;
"""

POSTGRES_REVERSE = """
DROP INDEX IF EXISTS fund_proj_title_fold_trgm_idx;
DROP INDEX IF EXISTS coop_holder_name_fold_trgm_idx;
DROP FUNCTION IF EXISTS indh_fold(text);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cooperatives", "0007_history_unqueried_indexes"),
        ("funding", "0011_history_unqueried_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
