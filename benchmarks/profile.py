"""Where Hearth's time goes: pyinstrument profiles of S, R1 and R2, in process.

    .venv/bin/pip install pyinstrument   # not a project dependency: `make bench` does not use it
    DATABASE_URL=sqlite:////abs/path/var/bench-t10k.sqlite3 \
        .venv/bin/python -m benchmarks.profile [small r1 r2] > var/profile.txt

For each operation: the time in each phase (the first phase met on the way down a call path
takes the whole subtree, so phases never overlap), the functions with the most time of their
own, and pyinstrument's call tree.
"""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

# (label, function name, file ending): the first match down a call path takes its subtree.
PHASES = [
    ("parse the document", "parse", "graphql/language/parser.py"),
    ("validate the document", "validate", "graphql/validation/validate.py"),
    ("query limits (schema/core/limits.py)", None, "schema/core/limits.py"),
    ("SQL: compile, run, fetch", "execute_sql", "django/db/models/sql/compiler.py"),
    ("SQL: model instances", "from_db", "django/db/models/base.py"),
    ("encode JSON", "encode_json", "schema/http/views.py"),
    ("signing (visitor token)", "loads", "django/core/signing.py"),
]


def phases(frame, totals: dict) -> None:
    for label, function, ending in PHASES:
        if frame.file_path and frame.file_path.endswith(ending) and (
                function is None or frame.function == function):
            totals[label] = totals.get(label, 0) + frame.time
            return
    for child in frame.children:
        phases(child, totals)


def main() -> None:
    django.setup()
    from pyinstrument import Profiler
    from pyinstrument.renderers import ConsoleRenderer

    from benchmarks.measure import Client, operation

    client = Client("H", "/graphql/")
    for op in sys.argv[1:] or ["small", "r1", "r2"]:
        run = operation(op, client, None)
        run()  # warm
        repeat = {"small": 300, "r1": 1, "r2": 10}.get(op, 1)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(repeat):
            run()
        profiler.stop()
        session = profiler.last_session
        root = session.root_frame()
        totals: dict = {}
        phases(root, totals)
        print(f"\n===== {op} x {repeat}: {session.duration:.3f} s wall, "
              f"{session.cpu_time:.3f} s CPU =====")
        for label, seconds in sorted(totals.items(), key=lambda item: -item[1]):
            print(f"{seconds / root.time * 100:5.1f}%  {label}")
        rest = root.time - sum(totals.values())
        print(f"{rest / root.time * 100:5.1f}%  everything else (graphql-core execution, "
              "strawberry, resolvers, Django request handling)")
        flat = ConsoleRenderer(flat=True, show_all=True, time="percent_of_total")
        print("\n-- functions by own time --")
        print("\n".join(flat.render(session).splitlines()[:40]))
        print("\n-- call tree --")
        print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
