"""PostgreSQL: each row's month (``period``, kept by the trigger from ``published_at``) leads the GIN indexes
of its words and of its title's words (``btree_gin``), so a search reads the newest months' matches first and
stops at ``search.backends.FOUND_LIMIT`` instead of reading every match. SQLite keeps no period."""

from typing import Any

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations, models

WORDS = "regexp_replace(coalesce({field}, ''), '[[:punct:]]+', ' ', 'g')"
TRIGGER = """
CREATE OR REPLACE FUNCTION search_entry_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('muster_english', {title}), 'A')
        || setweight(to_tsvector('muster_english', {tags}), 'B')
        || setweight(to_tsvector('muster_english', {body}), 'C');
    NEW.title_vector := to_tsvector('muster_english', {title});
    {period_line}
    RETURN NEW;
END
$$
"""
# The month counted from year 0 in UTC (2026-12 is 2026 * 12 + 11), as ``search.backends.period_of`` counts it.
PERIOD = "(EXTRACT(YEAR FROM {at} AT TIME ZONE 'UTC') * 12 + EXTRACT(MONTH FROM {at} AT TIME ZONE 'UTC') - 1)::integer"
_FIELDS = {name: WORDS.format(field=f"NEW.{name}") for name in ("title", "tags", "body")}
FORWARD = (
    TRIGGER.format(**_FIELDS, period_line=f"NEW.period := {PERIOD.format(at='NEW.published_at')};"),
    # The rows already written: only their period (the trigger, which would re-read every row's words, is off).
    "ALTER TABLE search_searchentry DISABLE TRIGGER search_entry_vector",
    f"UPDATE search_searchentry SET period = {PERIOD.format(at='published_at')}",
    "ALTER TABLE search_searchentry ENABLE TRIGGER search_entry_vector",
    "DROP INDEX IF EXISTS search_entry_vector_gin",
    "CREATE INDEX search_entry_period_vector_gin ON search_searchentry USING gin (period, search_vector)",
    "CREATE INDEX search_entry_period_title_gin ON search_searchentry USING gin (period, title_vector)",
)
BACKWARD = (
    "DROP INDEX IF EXISTS search_entry_period_title_gin",
    "DROP INDEX IF EXISTS search_entry_period_vector_gin",
    "CREATE INDEX search_entry_vector_gin ON search_searchentry USING gin (search_vector)",
    TRIGGER.format(**_FIELDS, period_line=""),
)


def _on_postgresql(statements: tuple[str, ...]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_access_keys")]

    operations = [
        BtreeGinExtension(),
        migrations.AddField(
            model_name="searchentry",
            name="period",
            field=models.IntegerField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["period"], name="search_entry_period"),
        ),
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD)),
    ]
