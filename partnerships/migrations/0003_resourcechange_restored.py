from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0002_task_overdue_notified_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="resourcechange",
            name="action",
            field=models.CharField(
                choices=[
                    ("added", "Added"),
                    ("imported", "Imported"),
                    ("changed", "Changed"),
                    ("removed", "Removed"),
                    ("restored", "Restored"),
                ],
                max_length=20,
            ),
        ),
    ]
