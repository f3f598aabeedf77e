"""Run by ``test_parity`` in a subprocess on the other database (not collected by the suite itself): writes
the shared corpus, searches it, and writes what each query found, as JSON, to ``MUSTER_PARITY_OUTPUT``."""

import json
import os
from pathlib import Path

import pytest
from django.db import connection

from tests.search.conftest import Given
from tests.search.test_parity import corpus_findings

pytestmark = pytest.mark.django_db


def test_write_the_findings_of_this_database(given: Given) -> None:
    findings = corpus_findings(given)

    Path(os.environ["MUSTER_PARITY_OUTPUT"]).write_text(json.dumps({"vendor": connection.vendor, "findings": findings}))
