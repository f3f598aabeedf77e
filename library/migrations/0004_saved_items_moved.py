# SavedItem now belongs to the saved app; its table stays (state only).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0003_bookmark_bookmarkgroupobjectpermission_and_more"),
        ("saved", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="SavedItem")],
        ),
    ]
