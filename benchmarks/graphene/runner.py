"""In-process figures for G (idiomatic graphene-django) and Gt (tuned), as JSON on stdout.

    DJANGO_SETTINGS_MODULE=benchmarks.graphene.settings DATABASE_URL=... \
        .venv-graphene/bin/python -m benchmarks.graphene.runner OPS BUDGET_SECONDS [CAP_SECONDS]
"""

import json
import sys

import django


def main() -> None:
    ops, budget = sys.argv[1].split(","), float(sys.argv[2])
    cap = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    django.setup()
    from benchmarks.measure import Client, run_contenders

    clients = [Client("G", "/graphene/graphql/"), Client("Gt", "/graphene-tuned/graphql/")]
    print(json.dumps(run_contenders(clients, ops, budget, cap=cap)))


if __name__ == "__main__":
    main()
