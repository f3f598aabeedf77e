"""PostgreSQL: each row's quarter (``period``) leads the GIN indexes of its words and of its title's words
(``btree_gin``), so a search reads the newest quarters' matches first and stops at
``search.backends.FOUND_LIMIT`` instead of reading every match. And each row keeps the pairs of words that
stand next to each other (``phrase_vector``, ``mutual_aid``), so a quoted phrase is found through an index of
its pairs instead of re-reading the positions of every row holding its words. The trigger keeps both; the
rows already written get them here. SQLite keeps neither: its FTS5 index finds phrases itself."""

from typing import Any

import django.contrib.postgres.search
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
    {extra_lines}
    RETURN NEW;
END
$$
"""
# The quarter counted from year 0 in UTC (2026-10 to 2026-12 is 2026 * 4 + 3), as ``search.backends.period_of``
# counts it.
PERIOD = "(EXTRACT(YEAR FROM {at} AT TIME ZONE 'UTC') * 4 + EXTRACT(QUARTER FROM {at} AT TIME ZONE 'UTC') - 1)::integer"
# The pairs of lexemes at neighbouring positions of a vector, each as one lexeme ``first_second``: the words
# as typed hold no punctuation, so no lexeme holds ``_``. A phrase's pairs are read the same way from its own
# vector, the positions of the stop words it holds counted as in the rows, so a row holding the phrase holds
# every pair of it.
PAIRS = """
CREATE OR REPLACE FUNCTION search_vector_pairs(vector tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(coalesce(array_agg(DISTINCT a.lexeme || '_' || b.lexeme), '{}'))
    FROM (SELECT lexeme, unnest(positions) AS position FROM unnest(vector)) a
    JOIN (SELECT lexeme, unnest(positions) AS position FROM unnest(vector)) b ON b.position = a.position + 1
$$
"""
PHRASE_PAIRS = """
CREATE OR REPLACE FUNCTION search_phrase_pairs(config regconfig, phrase text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(quote_literal(pair), ' & ' ORDER BY pair), '')::tsquery
    FROM unnest(tsvector_to_array(search_vector_pairs(to_tsvector(config, phrase)))) AS pair
$$
"""
_FIELDS = {name: WORDS.format(field=f"NEW.{name}") for name in ("title", "tags", "body")}
FORWARD = (
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    PAIRS,
    PHRASE_PAIRS,
    TRIGGER.format(
        **_FIELDS,
        extra_lines=f"NEW.period := {PERIOD.format(at='NEW.published_at')};\n"
        "    NEW.phrase_vector := search_vector_pairs(NEW.search_vector);",
    ),
    # The rows already written: only the new columns (the trigger, which would re-read every row's words, is
    # off meanwhile).
    "ALTER TABLE search_searchentry DISABLE TRIGGER search_entry_vector",
    f"UPDATE search_searchentry SET period = {PERIOD.format(at='published_at')},"  # noqa: S608 - constants
    " phrase_vector = search_vector_pairs(search_vector)",
    "ALTER TABLE search_searchentry ENABLE TRIGGER search_entry_vector",
    "DROP INDEX IF EXISTS search_entry_vector_gin",
    "CREATE INDEX search_entry_period_vector_gin ON search_searchentry USING gin (period, search_vector)",
    "CREATE INDEX search_entry_period_title_gin ON search_searchentry USING gin (period, title_vector)",
    "CREATE INDEX search_entry_period_phrase_gin ON search_searchentry USING gin (period, phrase_vector)",
)
BACKWARD = (
    "DROP INDEX IF EXISTS search_entry_period_phrase_gin",
    "DROP INDEX IF EXISTS search_entry_period_title_gin",
    "DROP INDEX IF EXISTS search_entry_period_vector_gin",
    "CREATE INDEX search_entry_vector_gin ON search_searchentry USING gin (search_vector)",
    TRIGGER.format(**_FIELDS, extra_lines=""),
    "DROP FUNCTION IF EXISTS search_phrase_pairs(regconfig, text)",
    "DROP FUNCTION IF EXISTS search_vector_pairs(tsvector)",
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
        migrations.AddField(
            model_name="searchentry",
            name="period",
            field=models.IntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="phrase_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["period"], name="search_entry_period"),
        ),
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD)),
    ]
