"""Rows inserted in bulk from plain tuples: what ``Model.bulk_create`` writes, without a model instance per row.

Building a Tortoise model instance costs tens of microseconds (every field set through the model's ``__setattr__``),
more than the rest of a webhook delivery's own work; the write paths that insert many rows a second (the event log,
a group commit of deliveries) hand their values over as tuples instead. Each value is still converted and validated
by its field's ``to_db_value``, and the statement is the model's own cached INSERT, as ``bulk_create`` does.
"""
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tortoise.models import Model

CHUNK = 500  # rows per executemany call


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
        batch.append([convert(row[index] if index is not None else default(), model)
                      for convert, index, default in plan])
        if len(batch) == CHUNK:
            await db.execute_many(query, batch)
            batch = []
    if batch:
        await db.execute_many(query, batch)


def _plan(model: type[Model], columns: tuple[str, ...],
          order: tuple[str, ...]) -> list[tuple[Callable[[Any, Any], Any], int | None, Callable[[], Any]]]:
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
        plan.append((field.to_db_value, index, default))
    return plan
