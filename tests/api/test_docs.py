"""docs/api.md keeps up with the code: every error code the API can answer is in its table."""

import re
from pathlib import Path

from api.authentication import BARRIER_CODES
from api.errors import CODES

ROOT = Path(__file__).resolve().parents[2]
RAISED = re.compile(r'(?:ApiError|TokenRefused)\(\s*"([a-z_]+)"|error_code = "([a-z_]+)"')


def codes_in_the_code() -> set[str]:
    found = set(CODES.values()) | set(BARRIER_CODES.values()) | {"unknown_field", "error"}
    for source in (ROOT / "api").rglob("*.py"):
        for match in RAISED.finditer(source.read_text()):
            found.add(match.group(1) or match.group(2))
    return found


def test_every_error_code_of_the_api_is_in_the_docs_table() -> None:
    table = set(re.findall(r"^\| `([a-z_]+)` \|", (ROOT / "docs" / "api.md").read_text(), re.M))

    missing = sorted(codes_in_the_code() - table - {"error"})

    assert "token_in_query" in codes_in_the_code()
    assert missing == []


def test_the_docs_name_every_api_setting_and_the_readme_lists_them() -> None:
    settings_source = (ROOT / "muster" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    names = set(re.findall(r"\b(MUSTER_API_[A-Z_]+)\b", settings_source))

    assert len(names) == 6
    assert [name for name in sorted(names) if f"| `{name}` |" not in readme] == []
    assert [name for name in sorted(names) if name not in (ROOT / "docs" / "api.md").read_text()] == []
