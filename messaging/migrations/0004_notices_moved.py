# Notification and EmailDelivery now belong to the notices app; their tables stay (state only).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_default_rooms"),
        ("notices", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="EmailDelivery"),
            ],
        ),
    ]
