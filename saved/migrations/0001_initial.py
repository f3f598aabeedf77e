# SavedItem moved from library: its table stays as it is (state only).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("library", "0003_bookmark_bookmarkgroupobjectpermission_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="SavedItem",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("item_id", models.PositiveBigIntegerField()),
                        ("label", models.CharField(max_length=300)),
                        ("url", models.CharField(max_length=500)),
                        ("note", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("item_type", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="contenttypes.contenttype")),
                        ("member", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="saved_items", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "library_saveditem",
                        "ordering": ("-created_at",),
                        "constraints": [
                            models.UniqueConstraint(fields=("member", "item_type", "item_id"), name="save_an_item_once")
                        ],
                    },
                ),
            ],
        ),
    ]
