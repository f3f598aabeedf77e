"""``make bench``: run every benchmark and write the results to ``bench/results/``.

Benchmarks run against a throw-away test database (SQLite by default, or the
server ``DATABASE_URL`` points at), never the development data.

    python -m bench                 # every benchmark (what ``make bench`` runs)
    python -m bench chat            # only the chat fan-out
    python -m bench chat --sizes 100,1000 --layers pubsub,core
    python -m bench chat --servers daphne,uvicorn-frames --processes 2 --apps muster
    python -m bench digests         # only the e-mail digests
    python -m bench digests --members 500 --relay plain
    python -m bench search          # only the search
    python -m bench search --items 50000
    python -m bench bodies          # only the request bodies (peak memory of uvicorn and of Daphne)
    python -m bench idle            # only the idle sockets (10,000 signed-in sockets on two processes)
    python -m bench idle --idle-sockets 500 --idle-server daphne
"""

import argparse
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.asgi_servers import PRODUCTION_SERVER, SERVERS
from bench.chat_fanout import APPS, DEFAULT_APPS

RESULTS = Path(__file__).resolve().parent / "results"
BENCHMARKS = ("policy", "chat", "digests", "search", "bodies", "idle")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run the benchmarks.")
    parser.add_argument("only", nargs="*", help=f"run only these, of {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--sizes", help="chat: room sizes, comma-separated (default 100,500,1000)")
    parser.add_argument("--layers", help="chat: channel layers, comma-separated: pubsub, core (default pubsub)")
    parser.add_argument("--servers", help=f"chat: ASGI servers, comma-separated, of {','.join(SERVERS)} (default all)")
    parser.add_argument("--processes", help="chat: server processes, comma-separated (default 1,2)")
    parser.add_argument(
        "--apps",
        default=os.environ.get("MUSTER_BENCH_APPS"),
        help=f"chat: applications, comma-separated, of {', '.join(APPS)} or any module:attribute "
        f"(default: $MUSTER_BENCH_APPS, else {','.join(DEFAULT_APPS)})",
    )
    parser.add_argument("--members", type=int, help="digests: members with a 20-item digest (default 2000)")
    parser.add_argument(
        "--relay",
        choices=("starttls-auth", "plain"),
        help="digests: what the SMTP sink requires before mail: STARTTLS and AUTH (the default) or nothing",
    )
    parser.add_argument("--items", type=int, help="search: content items (default 200000)")
    parser.add_argument("--idle-sockets", type=int, help="idle: signed-in sockets (default 10000)")
    parser.add_argument(
        "--idle-server", choices=tuple(SERVERS), help=f"idle: the ASGI server (default {PRODUCTION_SERVER})"
    )
    arguments = parser.parse_args(argv)
    unknown = set(arguments.only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
    if unknown := set(split(arguments.servers)) - set(SERVERS):
        parser.error(f"unknown server {', '.join(sorted(unknown))}; choose from {', '.join(SERVERS)}")
    if unknown := {app for app in split(arguments.apps) if app not in APPS and ":" not in app}:
        known = ", ".join(APPS)
        parser.error(f"unknown application {', '.join(sorted(unknown))}; name one of {known} or module:attribute")
    return arguments


def given(**options: Any) -> dict[str, Any]:
    """The options the command line set; each benchmark's own defaults stand for the rest."""
    return {name: value for name, value in options.items() if value}


def split(option: str | None) -> tuple[str, ...]:
    return tuple(option.split(",")) if option else ()


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    chosen = arguments.only or list(BENCHMARKS)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    # Not test.sqlite3, which a ``make test`` running at the same time would replace under us.
    scratch = tempfile.TemporaryDirectory(prefix="muster-bench-")
    os.environ.setdefault("MUSTER_SQLITE_TEST_NAME", str(Path(scratch.name) / "bench.sqlite3"))
    import django

    django.setup()
    from django.db import connection

    from bench import chat_fanout, digests, idle_sockets, policy_filter, request_bodies, search

    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    results: dict[str, Any] = {}
    try:
        if "policy" in chosen:
            results["policy_filter"] = policy_filter.run()
        if "chat" in chosen:
            results["chat_fanout"] = chat_fanout.run(
                **given(
                    sizes=tuple(int(size) for size in split(arguments.sizes)),
                    layers=split(arguments.layers),
                    server_names=split(arguments.servers),
                    processes=tuple(int(count) for count in split(arguments.processes)),
                    apps=split(arguments.apps),
                )
            )
        if "digests" in chosen:
            results["digests"] = digests.run(**given(members=arguments.members, relay=arguments.relay))
        if "search" in chosen:
            results["search"] = search.run(**given(items=arguments.items))
        if "bodies" in chosen:
            results["request_bodies"] = request_bodies.run()
        if "idle" in chosen:
            results["idle_sockets"] = idle_sockets.run(
                **given(sockets=arguments.idle_sockets, server=arguments.idle_server)
            )
    finally:
        connection.close()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        scratch.cleanup()

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
    if latest.exists():  # a partial run (``python -m bench chat``) keeps the other benchmarks' latest figures
        previous = json.loads(latest.read_text()).get("results", {})
        report["results"] = {**previous, **results}
    latest.write_text(json.dumps(report, indent=2))
    print(f"Results written to {latest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
