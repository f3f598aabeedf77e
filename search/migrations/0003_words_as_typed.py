"""PostgreSQL reads the words the way SQLite's FTS5 does, so both find the same:

- punctuation separates words (the default parser would keep ``www.fema.gov/storm-tide`` as one address
  and read ``<ack>`` as a tag and drop it);
- accents are ignored (``cafe`` finds ``café``), through ``unaccent`` in a copy of the English
  configuration, ``muster_english``, used for the index, the queries and the snippets.

The trigger is replaced and every row's vector computed again."""

from typing import Any

from django.db import migrations

WORDS = "regexp_replace(coalesce({field}, ''), '[[:punct:]]+', ' ', 'g')"

FORWARD = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION muster_english (COPY = english)",
    """
    ALTER TEXT SEARCH CONFIGURATION muster_english
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem
    """,
    f"""
    CREATE OR REPLACE FUNCTION search_entry_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('muster_english', {WORDS.format(field="NEW.title")}), 'A')
            || setweight(to_tsvector('muster_english', {WORDS.format(field="NEW.tags")}), 'B')
            || setweight(to_tsvector('muster_english', {WORDS.format(field="NEW.body")}), 'C');
        RETURN NEW;
    END
    $$
    """,
    "UPDATE search_searchentry SET search_vector = NULL",
)
BACKWARD = (
    """
    CREATE OR REPLACE FUNCTION search_entry_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('english', coalesce(NEW.tags, '')), 'B')
            || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'C');
        RETURN NEW;
    END
    $$
    """,
    "UPDATE search_searchentry SET search_vector = NULL",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS muster_english",
)


def _on_postgresql(statements: tuple[str, ...]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_database_indexes")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD))]
