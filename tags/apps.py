from django.apps import AppConfig


class TagsConfig(AppConfig):
    name = "tags"
    verbose_name = "Tag pages"

    def ready(self) -> None:
        from tags.follows import register_followables

        register_followables()
