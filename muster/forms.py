"""What every app's forms share."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.http import url_has_allowed_host_and_scheme


def add_service_error(form: forms.BaseForm, error: ValidationError | PermissionDenied) -> None:
    """A service's refusal shown on the form: by field where the service names one the form has."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or "You may not do this here.")
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def is_local_path(value: str) -> bool:
    """A path on this site ("/communities/…"), never another site's address."""
    return (
        value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    )
