"""``make bench``: run every benchmark and write the results to ``bench/results/``.

Benchmarks run against a throw-away test database (SQLite by default, or the
server ``DATABASE_URL`` points at), never the development data.
"""

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    import django

    django.setup()
    from django.db import connection

    from bench import policy_filter

    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = {"policy_filter": policy_filter.run()}
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "when": stamp,
        "database": connection.vendor,
        "python": platform.python_version(),
        "machine": f"{os.cpu_count()} cores",
        "results": results,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"bench-{connection.vendor}-{stamp}.json").write_text(json.dumps(report, indent=2))
    latest = RESULTS / f"latest-{connection.vendor}.json"
    latest.write_text(json.dumps(report, indent=2))
    print(f"Results written to {latest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
