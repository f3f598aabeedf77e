from django.db import migrations

DEFAULT_MARKINGS = [
    {
        "slug": "unmarked",
        "name": "Unmarked",
        "banner_text": "Unmarked",
        "colour": "#ffffff",
        "text_colour": "#1b1f24",
        "rank": 0,
    },
    {
        "slug": "fouo",
        "name": "For Official Use Only",
        "banner_text": "For Official Use Only (FOUO)",
        "colour": "#1d4f91",
        "text_colour": "#ffffff",
        "rank": 10,
    },
    {
        "slug": "sbu",
        "name": "Sensitive But Unclassified",
        "banner_text": "Sensitive But Unclassified (SBU)",
        "colour": "#7a1f1f",
        "text_colour": "#ffffff",
        "rank": 20,
    },
]


RULES_OF_BEHAVIOR_V1 = """\
1. Use Muster only for your work in emergency preparedness, response and recovery.
2. Keep For Official Use Only (FOUO) and Sensitive But Unclassified (SBU) material on Muster. Do not copy, forward or print it except as its marking and your agency's rules allow.
3. Share only what you have the right to share, and mark it correctly.
4. Do not share your account, your password or your authenticator. Report a lost device or a suspected compromise at once.
5. Treat other members with respect. No harassment, solicitation or advertising.
6. Every view and download of marked material is recorded. Misuse ends your access and may be reported to your sponsor and agency.
"""

ROLE_GROUPS = {
    "Verifiers": [("verification", "member", "review_application"), ("verification", "auditevent", "view_auditevent")],
    "Auditors": [("verification", "auditevent", "view_auditevent")],
}

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


def create_defaults(apps, schema_editor):
    Marking = apps.get_model("verification", "Marking")
    for fields in DEFAULT_MARKINGS:
        Marking.objects.update_or_create(slug=fields["slug"], defaults=fields)
    RulesOfBehavior = apps.get_model("verification", "RulesOfBehavior")
    RulesOfBehavior.objects.get_or_create(version=1, defaults={"text": RULES_OF_BEHAVIOR_V1})

    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, content_type__model=model, codename=codename)
            )


def make_audit_log_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def allow_audit_log_changes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
        migrations.RunPython(make_audit_log_append_only, allow_audit_log_changes),
    ]
