"""Forms of the applicant's side of vetting. They only parse and validate input;
the views hand what they clean to ``verification.services``."""

import io
import uuid
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError
from taggit.forms import TagField
from taggit.utils import edit_string_for_tags

from verification.models import Profile, SponsorChoice
from verification.services import PROFILE_FIELDS

PHOTO_MAX_BYTES = 2 * 1024 * 1024
# Beyond this a photo is refused before it is decoded: a few kilobytes of PNG can hold 144 megapixels.
PHOTO_MAX_PIXELS = 25_000_000
# What is kept: re-encoded to at most this many pixels a side, with no metadata (a photo's EXIF can carry
# the GPS position of the member's home).
PHOTO_SIDE = 512
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


def normalised_photo(upload: UploadedFile) -> ContentFile[bytes]:
    """The photo re-encoded (JPEG, or PNG when it has transparency), bounded and stripped of metadata;
    ``ValidationError`` for anything but a JPEG, PNG or WebP image of sensible size."""
    try:
        opened = Image.open(upload)
    except (UnidentifiedImageError, OSError):
        raise forms.ValidationError("This file is not an image. Upload a JPEG, PNG or WebP photo.") from None
    if opened.format not in PHOTO_FORMATS:
        raise forms.ValidationError("Upload a JPEG, PNG or WebP photo; other kinds of image are not accepted.")
    width, height = opened.size
    if width * height > PHOTO_MAX_PIXELS:
        raise forms.ValidationError(
            f"The photo is {width} by {height} pixels: too large to show. Use one under 25 megapixels."
        )
    try:
        image = ImageOps.exif_transpose(opened)
        image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    except (OSError, ValueError, Image.DecompressionBombError):
        raise forms.ValidationError("This image could not be read. Upload another JPEG, PNG or WebP photo.") from None
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    output = io.BytesIO()
    if transparent:
        image.convert("RGBA").save(output, format="PNG", optimize=True)
        extension = "png"
    else:
        image.convert("RGB").save(output, format="JPEG", quality=85)
        extension = "jpg"
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


class ProfileForm(forms.ModelForm[Profile]):
    """The member's profile. Saved by ``services.profile_save`` through ``service_fields()``."""

    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    expertise = TagField(
        required=False,
        max_length=500,
        help_text="Comma-separated topics you know well, for example: flood response, mass care, ICS.",
    )
    photo = forms.ImageField(
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text="A JPEG, PNG or WebP image of at most 2 MB. It is resized and its metadata removed.",
    )
    remove_photo = forms.BooleanField(required=False, label="Remove my current photo")
    shared_fields = forms.MultipleChoiceField(
        required=False,
        choices=list(Profile.SHAREABLE_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        label="Show these to other verified members",
        help_text=(
            "Your name, affiliation, discipline and organisation are always shown to verified members. "
            "Tick the other details they may see. You always see all of your own."
        ),
    )

    class Meta:
        model = Profile
        fields = PROFILE_FIELDS
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"bio": "A few sentences about your work (at most 2,000 characters)."}

    field_order = (
        "first_name",
        "last_name",
        "affiliation_type",
        "discipline",
        "organisation",
        "jurisdiction_state",
        "jurisdiction_local",
        "title",
        "work_email",
        "phone",
        "expertise",
        "bio",
        "photo",
        "remove_photo",
        "shared_fields",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is not None:
            self.initial.setdefault("expertise", edit_string_for_tags(instance.expertise.all()))
        if instance.photo:
            self.fields["photo"].help_text += " Choose a new file to replace your current photo."
        else:
            del self.fields["remove_photo"]

    def clean_photo(self) -> ContentFile[bytes] | None:
        photo = self.cleaned_data.get("photo")
        if not isinstance(photo, UploadedFile):
            return None
        if photo.size is not None and photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError("The photo is larger than 2 MB. Choose a smaller image.")
        return normalised_photo(photo)

    @property
    def photo_needs_reselecting(self) -> bool:
        """Browsers never re-send a file: after other errors the member must choose the photo again."""
        return self.is_bound and bool(self.errors) and "photo" in self.files and "photo" not in self.errors

    def service_fields(self) -> dict[str, Any]:
        """What ``services.profile_save`` takes: the model fields, and the photo only when it changes."""
        fields = {name: self.cleaned_data[name] for name in self._meta.fields or () if name in self.cleaned_data}
        if self.cleaned_data.get("photo"):
            fields["photo"] = self.cleaned_data["photo"]
        elif self.cleaned_data.get("remove_photo"):
            fields["photo"] = ""
        return fields

    def member_names(self) -> dict[str, str]:
        return {"first_name": self.cleaned_data["first_name"], "last_name": self.cleaned_data["last_name"]}

    def expertise_names(self) -> list[str]:
        return list(self.cleaned_data.get("expertise") or [])


class ApplicationForm(forms.Form):
    """Who vouches for the applicant, and what the verifier should know."""

    sponsor_name = forms.CharField(
        label="Sponsor's name",
        max_length=120,
        help_text="A supervisor or official who can confirm your affiliation.",
    )
    sponsor_email = forms.EmailField(
        label="Sponsor's work e-mail",
        help_text="We send your sponsor a link to confirm or deny your affiliation. They do not need an account.",
    )
    statement = forms.CharField(
        label="Anything the verifier should know",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Optional, at most 2,000 characters. When a verifier asked a question, answer it here.",
    )

    def __init__(self, *args: Any, applicant_emails: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applicant_emails = {email.lower() for email in applicant_emails if email}

    def clean_sponsor_email(self) -> str:
        email: str = self.cleaned_data["sponsor_email"]
        if email.lower() in self.applicant_emails:
            raise forms.ValidationError("Your sponsor must be someone else: give their e-mail, not yours.")
        return email


class SponsorAnswerForm(forms.Form):
    answer = forms.ChoiceField(label="Your answer", choices=SponsorChoice.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Comment for the verifier",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional.",
    )

    @property
    def confirmed(self) -> bool:
        return bool(self.cleaned_data["answer"] == SponsorChoice.CONFIRM)


class RulesAcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.BooleanField(label="I have read and accept the Rules of Behavior", label_suffix="")
