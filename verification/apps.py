from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "Vetting and access"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from verification import receivers  # noqa: F401 - connects the audit receivers
        from verification.defaults import ensure_defaults

        # Runs after auth's own post_migrate (auth is installed first), so permissions exist.
        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="verification_defaults")
