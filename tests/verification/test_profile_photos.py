"""Profile photos are only ever JPEG, PNG or WebP images of sensible size, re-encoded without their metadata,
and served as the image type they are (issue 18, point 5): a pixel bomb, a GIF dressed as a PDF and a
photo carrying the GPS position of a home each get a clear answer, and nothing of them reaches a viewer."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.verification.factories import ProfileFactory, make_verified_member
from tests.verification.test_applicant_views import PROFILE_POST, PROFILE_URL, signed_in_client
from verification.models import Profile

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def image_bytes(format: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else 0).save(buffer, format=format, **save)
    return buffer.getvalue()


def post_photo(name: str, content: bytes) -> tuple[int, str, Profile | None]:
    member = make_verified_member()
    response = signed_in_client(member).post(PROFILE_URL, {**PROFILE_POST, "photo": SimpleUploadedFile(name, content)})
    return response.status_code, response.content.decode(), Profile.objects.filter(member=member).first()


def test_a_tiny_png_of_144_megapixels_is_refused_before_it_is_decoded() -> None:
    bomb = image_bytes("PNG", (12_000, 12_000), mode="1")
    assert len(bomb) < 100_000  # small on the wire, 144 megapixels to decode

    status, page, profile = post_photo("me.png", bomb)

    assert status == 200
    assert "12000 by 12000 pixels: too large to show" in page
    assert "Deputy Fire Marshal" in page  # what was typed is shown again
    assert profile is None


@pytest.mark.parametrize("name", ["me.gif", "me.pdf", "me.eps"])
def test_a_gif_under_any_name_is_refused_and_a_png_is_accepted(name: str) -> None:
    status, page, profile = post_photo(name, image_bytes("GIF"))
    accepted_status, _, accepted = post_photo("me.png", image_bytes("PNG"))

    assert status == 200
    assert "Upload a JPEG, PNG or WebP photo" in page
    assert profile is None
    assert accepted_status == 302
    assert accepted is not None
    assert accepted.photo


def test_a_photo_is_shrunk_and_stripped_of_its_gps_position_and_served_as_a_jpeg() -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (29.0, 18.0, 5.0), 3: "W", 4: (94.0, 47.0, 52.0)})
    original = image_bytes("JPEG", (2000, 1500), exif=exif.tobytes())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)

    status, _, profile = post_photo("holiday.jpg", original)

    assert status == 302
    assert profile is not None
    assert profile.photo.name.endswith(".jpg")
    served = signed_in_client(profile.member).get(reverse("members:photo", kwargs={"pk": profile.member_id}))
    content = b"".join(served.streaming_content)  # type: ignore[attr-defined]
    kept = Image.open(io.BytesIO(content))
    assert served["Content-Type"] == "image/jpeg"
    assert kept.format == "JPEG"
    assert max(kept.size) == 512
    assert not kept.getexif()
    assert b"PhoneMaker" not in content


def test_a_transparent_webp_is_kept_transparent_as_a_png() -> None:
    status, _, profile = post_photo("badge.webp", image_bytes("WEBP", mode="RGBA"))

    assert status == 302
    assert profile is not None
    served = signed_in_client(profile.member).get(reverse("members:photo", kwargs={"pk": profile.member_id}))
    assert served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).mode == "RGBA"  # type: ignore[attr-defined]


def test_a_stored_file_that_is_not_an_image_name_is_never_served() -> None:
    # A photo stored before this check, under a name that says PDF
    owner = make_verified_member()
    ProfileFactory.create(member=owner, photo=SimpleUploadedFile("me.pdf", image_bytes("GIF")))
    legit = make_verified_member()
    ProfileFactory.create(member=legit, photo=SimpleUploadedFile("me.png", image_bytes("PNG")))

    refused = signed_in_client(owner).get(reverse("members:photo", kwargs={"pk": owner.pk}))
    served = signed_in_client(legit).get(reverse("members:photo", kwargs={"pk": legit.pk}))

    assert refused.status_code == 404
    assert (served.status_code, served["Content-Type"]) == (200, "image/png")
