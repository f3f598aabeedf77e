"""What every app's forms share."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError


def add_service_error(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """A service's refusal shown on the form: by field where the service names one the form has."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or "You may not do this here.")
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
