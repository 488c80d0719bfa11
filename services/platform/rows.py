"""Rows inserted in bulk from plain tuples: what ``Model.bulk_create`` writes, without a model instance per row; and
rows selected by conditions written as plain SQL (:func:`select_models`), without pypika building the statement.

Building a Tortoise model instance costs tens of microseconds (every field set through the model's ``__setattr__``),
more than the rest of a webhook delivery's own work; the write paths that insert many rows a second (the event log,
a group commit of deliveries) hand their values over as tuples instead. Each value is still converted and validated
as its field's ``to_db_value`` does, and the statement is the model's own cached INSERT, as ``bulk_create`` does.

A value that is already of its field's exact type and passes its length check (a string within a ``CharField``'s
``max_length``, an ``int`` for an ``IntField``, bytes for a ``BinaryField``) is what ``to_db_value`` would return
unchanged; it is taken as it is (about 0.15 µs against 1–1.5 µs through the field, some 40 values a webhook delivery).
Every other value, and every field whose conversion does more (dates, JSON), goes through ``to_db_value`` itself, so
what is stored and what is refused, with which message, stay Tortoise's.
"""
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from tortoise.fields.base import Field
from tortoise.models import Model
from tortoise.validators import MaxLengthValidator

CHUNK = 500  # rows per executemany call
M = TypeVar('M', bound=Model)


async def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows``, each the values of ``columns`` (field names) in that order; every other field takes its
    default. A generated primary key left out of ``columns`` is given by the database.

    :raises ValueError: when a column is not one of the model's fields, or a field left out has no default.
    """
    db = model._meta.db
    executor = db.executor_class(model=model, db=db)  # its INSERT statements are cached per table by Tortoise
    with_key = model._meta.pk_attr in columns
    order = executor.regular_columns_all if with_key else executor.regular_columns
    query = executor.insert_query_all if with_key else executor.insert_query
    plan = _plan(model, tuple(columns), tuple(order))
    batch: list[list[Any]] = []
    for row in rows:
        batch.append([convert(row[index] if index is not None else default()) for convert, index, default in plan])
        if len(batch) == CHUNK:
            await db.execute_many(query, batch)
            batch = []
    if batch:
        await db.execute_many(query, batch)


def _plan(model: type[Model], columns: tuple[str, ...],
          order: tuple[str, ...]) -> list[tuple[Callable[[Any], Any], int | None, Callable[[], Any]]]:
    """For each column of the INSERT: its field's converter, where its value is in a row (None: not given), and the
    default of a field not given."""
    unknown = set(columns) - set(order)
    if unknown:
        raise ValueError(f'{model.__name__} has no column {", ".join(sorted(unknown))} to insert')
    fields = model._meta.fields_map
    plan = []
    for name in order:
        field = fields[name]
        index = columns.index(name) if name in columns else None
        if index is None and field.default is None and not field.null:
            raise ValueError(f'{model.__name__}.{name} has no default: give it a value')
        default = field.default if callable(field.default) else (lambda value=field.default: value)
        plan.append((_converter(field, model), index, default))
    return plan


def _converter(field: Field, model: type[Model]) -> Callable[[Any], Any]:
    """``field.to_db_value`` for ``model``'s rows, with the values it would return unchanged taken as they are (see the
    module's docstring)."""
    convert = field.to_db_value
    kind = field.field_type
    plain = type(field).to_db_value is Field.to_db_value and type(field).validate is Field.validate
    if not plain or not isinstance(kind, type) or any(type(check) is not MaxLengthValidator
                                                      for check in field.validators):
        return lambda value: convert(value, model)
    limits = [check.max_length for check in field.validators]
    none_kept = field.null or not limits  # None is not converted, and not checked (nullable) or has no checks
    if not limits:
        return lambda value: value if (value is None and none_kept) or type(value) is kind else convert(value, model)
    limit = min(limits)
    return lambda value: value if (value is None and none_kept) or (type(value) is kind and len(value) <= limit) \
        else convert(value, model)


async def select_models(model: type[M], *, order_by: str | None = None, **where: Any) -> list[M]:
    """The rows of ``model`` whose fields have the values given (a list, set or tuple: one of its values), in the order
    of ``order_by`` (a field name) when given, as model instances: what ``model.filter(**where)`` returns, with the
    statement written here instead of built through pypika (about 150 µs a query, for reads a webhook group commit
    makes every time). The values are the database's own (strings, numbers); an empty list matches nothing."""
    sql, values = _where(model, where)
    if sql is None:
        return []
    projection = model._meta.fields_db_projection
    columns = ', '.join(f'"{column}"' for column in projection.values())
    order = f' ORDER BY "{projection[order_by]}"' if order_by else ''
    db = model._meta.db
    return await db.executor_class(model=model, db=db).execute_select(
        f'SELECT {columns} FROM "{model._meta.db_table}"{sql}{order}', values)


async def select_column(model: type[Model], name: str, **where: Any) -> list[Any]:
    """One field's values of the rows :func:`select_models` would return, as the database hands them back."""
    sql, values = _where(model, where)
    if sql is None:
        return []
    _, rows = await model._meta.db.execute_query(
        f'SELECT "{model._meta.fields_db_projection[name]}" FROM "{model._meta.db_table}"{sql}', values)
    return [row[0] for row in rows]


def _where(model: type[Model], where: dict[str, Any]) -> tuple[str | None, list[Any]]:
    """The WHERE clause of these conditions with the dialect's placeholders (SQLite ``?``, PostgreSQL ``$n``), and its
    values; None when a list of values is empty (nothing can match)."""
    projection = model._meta.fields_db_projection
    numbered = model._meta.db.capabilities.dialect == 'postgres'
    terms: list[str] = []
    values: list[Any] = []
    for name, value in where.items():
        many = isinstance(value, (list, tuple, set, frozenset))
        given = list(value) if many else [value]
        if not given:
            return None, []
        marks = ', '.join(f'${len(values) + number}' if numbered else '?' for number in range(1, len(given) + 1))
        values.extend(given)
        terms.append(f'"{projection[name]}" {"IN" if many else "="} ({marks})')
    return (f' WHERE {" AND ".join(terms)}' if terms else ''), values
