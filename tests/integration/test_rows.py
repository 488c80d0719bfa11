"""Rows inserted from plain tuples (services/platform/rows.py) read back exactly as ``bulk_create`` writes them."""
from datetime import UTC, datetime

import pytest

from models import Connection, Conversation, Customer, Delivery
from services.container import Services
from services.platform.rows import insert_rows

AT = datetime(2026, 11, 30, 10, 12, 30, 250_000, tzinfo=UTC)


async def test_tuples_read_back_as_bulk_created_models_defaults_included(services: Services) -> None:
    await insert_rows(Customer, ('id', 'name'), [(9001, 'Ilze Bērziņa')])
    await Customer.bulk_create([Customer(id=9002, name='Ilze Bērziņa')])
    connection = await Connection.create(kind='chatwoot', name='Rows', token='rows-token', created_at=AT)
    values = {'connection_id': connection.id, 'delivery_id': 'd-1', 'received_at': AT, 'event': 'conversation_created',
              'status': 'applied', 'reason': '', 'body': b'{"id": 482}', 'headers': {'x-chatwoot-delivery': 'd-1'},
              'ticket': '482', 'applied_at': None}
    await insert_rows(Delivery, ('id', *values), [(9001, *values.values())])
    await Delivery.bulk_create([Delivery(id=9002, **values | {'delivery_id': 'd-2'})])

    assert _fields(await Customer.get(id=9001)) == _fields(await Customer.get(id=9002))
    from_tuple, from_model = _fields(await Delivery.get(id=9001)), _fields(await Delivery.get(id=9002))
    assert from_tuple.pop('delivery_id') == 'd-1' and from_model.pop('delivery_id') == 'd-2'
    assert from_tuple == from_model
    assert from_tuple['received_at'] == AT and from_tuple['headers'] == {'x-chatwoot-delivery': 'd-1'}
    # a time compared in SQL, as text on SQLite: written in the same form as the ORM writes it
    assert await Delivery.filter(received_at__gte=AT).count() == 2


async def test_a_column_the_model_lacks_or_a_required_one_left_out_is_refused(services: Services) -> None:
    with pytest.raises(ValueError, match='Customer has no column nickname'):
        await insert_rows(Customer, ('id', 'nickname'), [(9101, 'Ilze')])
    with pytest.raises(ValueError, match='Conversation.channel has no default'):
        await insert_rows(Conversation, ('id', 'customer_id'), [(9101, 9101)])
    assert not await Customer.exists(id=9101)


def _fields(row: Customer | Delivery) -> dict:
    return {name: getattr(row, name) for name in row._meta.fields_db_projection if name != 'id'}


@pytest.mark.parametrize('model', [Customer, Conversation, Delivery])
async def test_every_value_is_converted_and_refused_as_the_field_itself_does(services: Services, model) -> None:
    from services.platform.rows import _converter
    samples = [None, '', 'x', 'é' * 10, 'x' * 80, 'x' * 81, 'x' * 501, 7, 0, True, 7.5, b'{}', AT, {'a': 1}, [1]]
    for name in model._meta.db_fields:
        field = model._meta.fields_map[name]
        fast = _converter(field, model)
        for value in samples:
            try:
                expected = ('stored', field.to_db_value(value, model))
            except Exception as error:  # noqa: BLE001 - refused: the same error, with the same message, expected
                expected = ('refused', type(error), str(error))
            try:
                got = ('stored', fast(value))
            except Exception as error:  # noqa: BLE001
                got = ('refused', type(error), str(error))
            assert got == expected, f'{model.__name__}.{name} given {value!r}'
            if got[0] == 'stored':
                assert type(got[1]) is type(expected[1]), f'{model.__name__}.{name} given {value!r}'


async def test_rows_selected_by_plain_sql_are_what_filter_returns(services: Services) -> None:
    from services.platform.rows import select_column, select_models
    connection = await Connection.create(kind='chatwoot', name='Rows', token='rows-select', created_at=AT)
    columns = ('connection_id', 'delivery_id', 'received_at', 'status', 'body', 'headers', 'ticket')
    await insert_rows(Delivery, columns, [
        (connection.id, f'd-{number}', AT, 'waiting' if number % 2 else 'applied', b'{}', {'n': str(number)},
         str(482 + number % 3)) for number in range(6, 0, -1)])
    cases = [({'connection_id': [connection.id], 'delivery_id': ['d-1', 'd-4', 'd-9']}, None),
             ({'connection_id': connection.id, 'ticket': ('482', '483'), 'status': 'waiting'}, 'id'),
             ({'connection_id': [connection.id], 'delivery_id': []}, None),
             ({}, 'id')]
    for where, order_by in cases:
        expected = Delivery.filter(**{f'{name}__in' if isinstance(value, (list, tuple)) else name: value
                                      for name, value in where.items()})
        expected = await (expected.order_by(order_by) if order_by else expected)
        got = await select_models(Delivery, order_by=order_by, **where)
        assert _listed(got, ordered=bool(order_by)) == _listed(expected, ordered=bool(order_by)), where
        assert all(row._saved_in_db for row in got)
    assert len(await select_models(Delivery, connection_id=[connection.id], delivery_id=['d-1', 'd-4'])) == 2
    assert sorted(await select_column(Delivery, 'delivery_id', ticket=['482'])) == ['d-3', 'd-6']
    assert await select_column(Delivery, 'delivery_id', ticket=[]) == []
    got = (await select_models(Delivery, delivery_id='d-2'))[0]
    got.status = 'applied'
    await got.save(update_fields=['status'])  # a row read so can be saved as one the ORM read
    assert (await Delivery.get(delivery_id='d-2')).status == 'applied'


def _listed(rows: list[Delivery], *, ordered: bool) -> list[dict]:
    return [_fields(row) | {'id': row.id} for row in (rows if ordered else sorted(rows, key=lambda row: row.id))]
