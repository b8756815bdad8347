"""In-process figures for G (idiomatic graphene-django) and Gt (tuned), as JSON on stdout.

    DJANGO_SETTINGS_MODULE=benchmarks.graphene.settings DATABASE_URL=... \
        .venv-graphene/bin/python -m benchmarks.graphene.runner OPS BUDGET_SECONDS CAP_SECONDS \
        [CONTENDERS]
"""

import json
import sys

import django


def main() -> None:
    ops, budget, cap = sys.argv[1].split(","), float(sys.argv[2]), float(sys.argv[3])
    names = sys.argv[4].split(",") if len(sys.argv) > 4 else list(CLIENTS)
    django.setup()
    from benchmarks.measure import Client, run_contenders

    clients = [Client(name, CLIENTS[name]) for name in names]
    print(json.dumps(run_contenders(clients, ops, budget, cap=cap)))


CLIENTS = {"G": "/graphene/graphql/", "Gt": "/graphene-tuned/graphql/"}


if __name__ == "__main__":
    main()
