"""Pure rules of the workspace: CRM card validation, chat ticket references, time per presence status."""
import pytest

from services.helpdesk.crm import CustomerDetails, cleaned, problems_with
from services.helpdesk.presence import time_in_statuses
from services.helpdesk.team_chat import references, segments


def details(**changes) -> CustomerDetails:
    return cleaned(CustomerDetails(**({'name': 'Marie Laurent', 'emails': ('marie@example.com',)} | changes)))


def test_valid_details_have_no_problems() -> None:
    assert problems_with(details(emails=('marie@example.com', ' m.laurent@work.example '), phone='+33 1 70 18 12 34',
                                 language='pt-BR', custom_fields=(('Plan', 'Business'),))) == []
    assert problems_with(details(emails=())) == []  # a phone-only customer


def test_cleaning_trims_and_drops_empty_rows() -> None:
    cleaned_details = details(name='  Marie ', emails=(' a@b.example ', '  '),
                              custom_fields=(('  ', ' '), (' k', 'v ')))
    assert (cleaned_details.name, cleaned_details.emails, cleaned_details.custom_fields) == \
        ('Marie', ('a@b.example',), (('k', 'v'),))


@pytest.mark.parametrize(('changes', 'problem'), [
    ({'name': ' '}, 'Name: cannot be empty.'),
    ({'name': 'x' * 161}, 'Name: too long (161 characters, at most 160).'),
    ({'emails': ('marie@example',)}, '"marie@example" is not an e-mail address.'),
    ({'emails': ('two words@example.com',)}, '"two words@example.com" is not an e-mail address.'),
    ({'emails': ('a@b.example', 'a@b.example')}, 'An e-mail address is listed twice.'),
    ({'emails': tuple(f'a{i}@b.example' for i in range(6))}, 'At most 5 e-mail addresses.'),
    ({'phone': 'call me'}, '"call me" is not a phone number'),
    ({'language': 'french'}, '"french" is not a language code'),
    ({'company': 'c' * 121}, 'Company: too long (121 characters, at most 120).'),
    ({'notes': 'n' * 2001}, 'Notes: too long (2001 characters, at most 2000).'),
    ({'custom_fields': (('', 'gold'),)}, 'The custom field with the value "gold" has no name.'),
    ({'custom_fields': (('Plan', 'a'), ('Plan', 'b'))}, 'A custom field name is used twice.'),
    ({'custom_fields': (('Plan', 'v' * 201),)}, 'Value of Plan: too long'),
])
def test_problems(changes: dict, problem: str) -> None:
    found = problems_with(details(**changes))
    assert any(sentence.startswith(problem) for sentence in found), found


def test_references_and_segments() -> None:
    text = 'see #123 and #45, not a#6 nor &#7; again #123'
    assert references(text) == [123, 45]
    assert segments(text) == ['see ', 123, ' and ', 45, ', not a#6 nor &#7; again ', 123]
    assert segments('#9') == [9] and segments('no refs') == ['no refs'] and segments('') == []
    assert segments('<b>#1</b>') == ['<b>', 1, '</b>']


def test_time_in_statuses_sums_the_previous_status_of_each_change() -> None:
    events = [('online', 'offline', 0), ('on_break', 'online', 3600), ('online', 'on_break', 900),
              ('away', 'online', 600), ('offline', 'away', 60)]
    assert time_in_statuses(events) == {'online': 4200, 'away': 60, 'on_break': 900, 'offline': 0}
