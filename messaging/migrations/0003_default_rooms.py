from django.db import migrations


def create_default_rooms(apps, schema_editor):
    Community = apps.get_model("communities", "Community")
    Conversation = apps.get_model("messaging", "Conversation")
    Marking = apps.get_model("verification", "Marking")
    unmarked = Marking.objects.filter(rank=0).first()
    if unmarked is None:
        return  # a new database: markings and rooms are made as communities are
    for community in Community.objects.exclude(rooms__is_default_room=True):
        Conversation.objects.create(
            kind="room", community=community, title="General", marking=unmarked, is_default_room=True
        )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0002_conversation_message_conversation_last_message_and_more")]

    operations = [migrations.RunPython(create_default_rooms, migrations.RunPython.noop)]
