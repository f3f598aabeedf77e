"""The suggestions under the box match headings with ``icontains``, which Django writes as
``UPPER(heading) LIKE UPPER(%s)`` on PostgreSQL: a trigram index on ``UPPER(heading)`` serves it (the one on
``heading`` serves "did you mean")."""

from typing import Any

from django.db import migrations


def _on_postgresql(statement: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_words_as_typed")]

    operations = [
        migrations.RunPython(
            _on_postgresql(
                "CREATE INDEX search_entry_heading_upper_trgm ON search_searchentry "
                "USING gin (UPPER(heading) gin_trgm_ops)"
            ),
            _on_postgresql("DROP INDEX IF EXISTS search_entry_heading_upper_trgm"),
        )
    ]
