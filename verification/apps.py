from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "Vetting and access"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from notices.kinds import register_kind
        from verification import (
            receivers,  # noqa: F401 - connects the audit receivers
            registry,  # noqa: F401 - registers the content registry's start-up check
        )
        from verification.defaults import ensure_defaults
        from verification.notifications import (
            VETTING_DECISION,
            application_targets,
            describe_vetting_decision,
            own_decisions,
        )

        # Runs after auth's own post_migrate (auth is installed first), so permissions exist.
        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="verification_defaults")
        register_kind(
            VETTING_DECISION,
            label="Vetting decision",
            describe=describe_vetting_decision,
            email_template="email/verification/decision.txt",
            audience=own_decisions,
            before_clearance=True,
            target_querysets=application_targets,
        )
