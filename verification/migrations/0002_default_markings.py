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


def create_default_markings(apps, schema_editor):
    Marking = apps.get_model("verification", "Marking")
    for fields in DEFAULT_MARKINGS:
        Marking.objects.update_or_create(slug=fields["slug"], defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]

    operations = [migrations.RunPython(create_default_markings, migrations.RunPython.noop)]
