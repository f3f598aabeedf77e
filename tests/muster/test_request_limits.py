"""Each page's body limit, decided from ``Content-Length`` before Django reads anything (muster.asgi.BodyLimit).

A library upload takes a file of ``MUSTER_UPLOAD_MAX_BYTES`` and its form; every other page takes form
fields only (``DATA_UPLOAD_MAX_MEMORY_SIZE``). Real uvicorn and Daphne processes refusing bodies are
tested in tests/muster/test_servers.py.
"""

from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator

from muster.asgi import application

MB = 1024 * 1024
UPLOAD = "/communities/gulf/library/upload/"


async def post(path: str, declared: int, body: bytes = b"") -> tuple[int, str]:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-length", str(declared).encode())],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": body, "more_body": False})
    start = await communicator.receive_output(timeout=10)
    answer = b""
    while True:
        message = await communicator.receive_output(timeout=10)
        answer += message.get("body", b"")
        if not message.get("more_body"):
            break
    return int(start["status"]), answer.decode()


@pytest.mark.django_db  # the ASGI layer answers before Django reads data; no flush per test needed
@pytest.mark.parametrize(
    ("path", "declared", "limit"),
    [("/accounts/login/", 3 * MB, "2.5 MB"), (UPLOAD, 27 * MB, "26.0 MB"), ("/search/", 3 * MB, "2.5 MB")],
)
async def test_a_body_over_its_page_limit_is_refused_with_the_limit_before_django_reads_it(
    path: str, declared: int, limit: str
) -> None:
    status, answer = await post(path, declared)

    assert status == 413
    assert f"the most this page accepts is {limit}" in answer
    assert "Nothing was saved" in answer


@pytest.mark.django_db  # the ASGI layer answers before Django reads data; no flush per test needed
async def test_an_upload_page_takes_a_body_a_form_page_may_not() -> None:
    """10 MB is over a form page's limit and within an upload's: the upload page's request reaches Django
    (which refuses it for its own reason: no CSRF token)."""
    form_status, _ = await post("/accounts/login/", 10 * MB)
    upload_status, _ = await post(UPLOAD, 10 * MB, b"x" * (10 * MB))

    assert form_status == 413
    assert upload_status == 403
