"""Querysets compiled to SQL once, then run many times with new values.

Django compiles a queryset on every run. For a lookup of one row by an index, compiling (and
building the queryset) costs the process ten times what the database takes to answer: it is
most of the cost of a small GraphQL query. A prepared query builds and compiles its queryset
once per thread and database, with a stand-in (marker) for every value, and then only binds
the values to the same SQL and makes the model instances as Django does.

Instances are made here, not by `Model.from_db`: the row's values go straight into the
instance's `__dict__`, as Django's own unpickling does. A comment page makes a few hundred
instances, and `Model.__init__` (every field set through its descriptor, the init signals sent)
cost seven times as much. No model of Hearth listens to pre_init or post_init; a field not
loaded stays deferred, read from the database on first use. Models themselves are untouched:
everywhere else they load as Django loads them.

`HEARTH_PREPARED_QUERIES = False` runs `build(**values)` as a plain queryset on every call.

`build(**values)` must give the same SQL whatever the values: they may only be compared with
columns, never change which filters apply (it is built twice with different markers, and the
two must differ only in the markers). A value the SQL does not use is fine. Each value is a
string, an int, an aware datetime (passed as a datetime field stores it), or a list of ints
for the `among` lookup: `field__among=ids` is `field IN ids` with the list as one parameter,
so the SQL is the same for any number of ids; it is registered (cms/apps.py) on the fields
that use it. A slice is part of the SQL: keep it fixed. tests/engine/test_prepared.py checks
prepared and plain querysets agree.
"""

import json
import threading
from datetime import UTC, datetime

from django.conf import settings
from django.db import connections
from django.db.models import Lookup
from django.db.models.base import ModelState
from django.db.models.query import RelatedPopulator


def id_list(connection, ids):
    """A list of ints as one parameter: an array for PostgreSQL, JSON text for SQLite."""
    ids = [int(i) for i in ids]
    return ids if connection.vendor == "postgresql" else json.dumps(ids)


class Among(Lookup):
    lookup_name = "among"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [id_list(connection, value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, *rhs_params]
        # lhs is a column Django quoted; the ids are a parameter.
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*lhs_params, *rhs_params]



class PreparedQuery:
    def __init__(self, build):
        self.build = build
        self._compiled = threading.local()  # a connection belongs to one thread

    def __call__(self, *, using: str = "default", **values) -> list:
        if not settings.HEARTH_PREPARED_QUERIES:
            return list(self.build(**values).using(using))
        compiled = getattr(self._compiled, using, None)
        if compiled is None:
            compiled = _Compiled(self.build, using, values)
            setattr(self._compiled, using, compiled)
        return compiled.run(values)


def _marker(round: int, index: int, name: str, value):
    """A stand-in for `value` that no real value equals; the two rounds' stand-ins differ in
    case, sign and century, so most things done to a value show as a difference."""
    if isinstance(value, str):
        return f"\x00prepared-{index}-{name}\x00" if round == 0 else f"PREPARED {index} {name}"
    if isinstance(value, datetime):
        return datetime(1901 + 298 * round, 1, 1, 0, 0, 0, 100_000 + index, tzinfo=UTC)
    # Ints within 32 bits: Django turns a lookup beyond its field's range into no SQL at all.
    number = -2_000_000_000 - index if round == 0 else 2_000_000_000 + 7 + index
    if isinstance(value, int) and not isinstance(value, bool):
        return number
    if isinstance(value, list):
        return [number] if round == 0 else [number, 1]
    raise TypeError(f"A prepared query takes strings, ints, datetimes and lists of ints, not "
                    f"{name}={value!r}")


def _db_value(connection, value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, list):
        return id_list(connection, value)
    return value


def _hashable(param):
    return tuple(param) if isinstance(param, list) else param


def _name_of(param, by_marker: dict) -> str | None:
    try:
        return by_marker.get(_hashable(param))
    except TypeError:  # an unhashable constant is never a marker
        return None


def _compile(build, using: str, values: dict, round: int):
    markers = {name: _marker(round, i, name, value)
               for i, (name, value) in enumerate(values.items())}
    compiler = build(**markers).query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    by_marker = {_hashable(_db_value(compiler.connection, m)): name
                 for name, m in markers.items()}
    # Each parameter: the name of the value it takes, or None and the constant it is.
    return compiler, sql, [(_name_of(p, by_marker), p) for p in params]


def _shape(slots: list) -> list:
    return [(name, None if name else constant) for name, constant in slots]


class _Compiled:
    def __init__(self, build, using: str, values: dict):
        compiler, self.sql, self.slots = _compile(build, using, values, 0)
        # Built again with other markers, the query must differ only where a marker is: a
        # value that changed the SQL, or reached it changed, would be frozen into it.
        _, sql, slots = _compile(build, using, values, 1)
        if sql != self.sql or _shape(slots) != _shape(self.slots):
            raise ValueError("A prepared query's values may only be compared with columns.")
        self.using = using
        self.compiler = compiler
        self.converters = compiler.get_converters(
            [column for column, _, _ in compiler.select[:compiler.col_count]])
        klass_info = compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.attnames = [column.target.attname
                         for column, _, _ in compiler.select[self.start:self.end]]
        self.related = _related_rows(klass_info, compiler.select, using)
        self.annotations = list(compiler.annotation_col_map.items())

    def run(self, values: dict) -> list:
        connection = connections[self.using]
        params = [_db_value(connection, values[name]) if name else constant
                  for name, constant in self.slots]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        found = []
        for row in rows:
            obj = _instance(self.model, self.using, self.attnames, row[self.start:self.end])
            for populator in self.related:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def _instance(model, using: str, attnames: list[str], values):
    """A model instance loaded from `using` with `values` for `attnames`, without `__init__`."""
    instance = model.__new__(model)
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = using
    instance.__dict__.update(zip(attnames, values, strict=True))
    return instance


class _RelatedRows(RelatedPopulator):
    """Django's select_related populator, making its instances as `_instance` does."""

    def __init__(self, klass_info, select, db):
        super().__init__(klass_info, select, db)
        self.related_populators = _related_rows(klass_info, select, db)

    def populate(self, row, from_obj):
        if self.reorder_for_init:
            values = self.reorder_for_init(row)
        else:
            values = row[self.cols_start:self.cols_end]
        obj = None
        if values[self.pk_idx] is not None:
            obj = _instance(self.model_cls, self.db, self.init_list, values)
            for related in self.related_populators:
                related.populate(row, obj)
        self.local_setter(from_obj, obj)
        if obj is not None:
            self.remote_setter(obj, from_obj)


def _related_rows(klass_info, select, db) -> list[_RelatedRows]:
    return [_RelatedRows(info, select, db) for info in klass_info.get("related_klass_infos", [])]
