"""In-process figures for F (floor), N (naive strawberry-django) and H (Hearth), as JSON.

    DJANGO_SETTINGS_MODULE=benchmarks.settings DATABASE_URL=... \
        python -m benchmarks.inprocess OPS BUDGET_SECONDS
"""

import json
import sys

import django


def main() -> None:
    ops, budget = sys.argv[1].split(","), float(sys.argv[2])
    django.setup()
    from benchmarks.measure import Client, run_contenders

    clients = [Client("F", None), Client("N", "/naive/graphql/"), Client("H", "/graphql/")]
    print(json.dumps(run_contenders(clients, ops, budget)))


if __name__ == "__main__":
    main()
