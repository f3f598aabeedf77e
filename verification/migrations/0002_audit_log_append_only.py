from django.db import migrations

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION verification_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER verification_auditevent_append_only
    BEFORE UPDATE OR DELETE ON verification_auditevent
    FOR EACH ROW EXECUTE FUNCTION verification_auditevent_append_only();
"""
DROP_APPEND_ONLY_SQL = """
DROP TRIGGER IF EXISTS verification_auditevent_append_only ON verification_auditevent;
DROP FUNCTION IF EXISTS verification_auditevent_append_only();
"""


def make_audit_log_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def allow_audit_log_changes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY_SQL)


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]

    operations = [
        migrations.RunPython(make_audit_log_append_only, allow_audit_log_changes),
    ]
