"""A paginator that does not count a million rows to show fifty.

The admin's change list asks its paginator for the number of rows, which is a COUNT(*)
over the whole table when the list is not filtered: a full scan at national scale, on
every page view. For that case only, PostgreSQL's own estimate (pg_class.reltuples, kept
by ANALYZE and autovacuum) is used instead. A filtered or searched list, or any list on
a small table or on another database, is counted exactly as before, so an official who
filters always sees the exact number.

Use it with ``paginator = EstimatedCountPaginator`` on a ModelAdmin; keep
``show_full_result_count = False`` so the change list does not run its own second COUNT(*).
"""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap, and an estimate would show for no gain.
ESTIMATE_ABOVE = 100_000


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self):
        estimate = self._estimate()
        return estimate if estimate is not None else super().count

    def _estimate(self):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or queryset.query.has_filters() or queryset.query.distinct:
            return None
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                [connection.ops.quote_name(queryset.model._meta.db_table)],
            )
            row = cursor.fetchone()
        # reltuples is -1 for a table never analysed yet: count it.
        if row is None or row[0] < ESTIMATE_ABOVE:
            return None
        return row[0]
