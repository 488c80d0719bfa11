"""How to set up each helpdesk's webhook for a new connection, step by step: shown once on /admin/integrations with
the URL and the secret, and printed by ``python main.py connect``."""
from urllib.parse import quote, urlsplit

from services.domain.connectors import chatwoot, freshdesk, zendesk
from services.domain.errors import ActionError
from services.domain.i18n import N_, _
from services.domain.text import checked_text

MAX_BASE_URL = 200
# where a ticket opens in each helpdesk, under the address the lead gives (Chatwoot's includes the account:
# https://app.chatwoot.com/app/accounts/1)
TICKET_PATHS = {'chatwoot': '/conversations/{ticket}', 'zendesk': '/agent/tickets/{ticket}',
                'freshdesk': '/a/tickets/{ticket}'}
BASE_URL_EXAMPLES = {'chatwoot': 'https://app.chatwoot.com/app/accounts/1', 'zendesk': 'https://acme.zendesk.com',
                     'freshdesk': 'https://acme.freshdesk.com'}


def setup_steps(kind: str, *, url: str, secret: str, signed: bool = True) -> list[str]:
    """The steps for ``kind`` (chatwoot | zendesk | freshdesk), in the helpdesk's own words for its screens."""
    if kind == 'chatwoot':
        steps = [
            'In Chatwoot, open Settings → Integrations → Webhooks and click "Add new webhook".',
            f'Paste this URL as the webhook URL: {url}',
            'Tick these events: ' + ', '.join(chatwoot.SUBSCRIBED) + '.',
        ]
        if signed:
            steps.append(f'Chatwoot 4.11.2 or later signs every delivery. If the form asks for a secret, paste: '
                         f'{secret} — if Chatwoot shows a secret of its own instead, copy it into "Re-enter the '
                         'secret" for this connection on /admin/integrations.')
        else:
            steps.append('This connection accepts unsigned deliveries (Chatwoot before 4.11.2): anyone who knows '
                         'the URL can post to it, so keep it private and upgrade Chatwoot when you can.')
        return steps + ['Click "Create". Deliveries appear under this connection as they arrive.']
    if kind == 'zendesk':
        return [
            'In Zendesk, open Admin Center → Apps and integrations → Webhooks and click "Create webhook".',
            'Choose "Zendesk events" and subscribe to: '
            + ', '.join(f'{zendesk.PREFIX}{event}' for event in zendesk.SUBSCRIBED) + '.',
            f'Endpoint URL: {url} — Request method POST, Request format JSON, Authentication None.',
            'Click "Create webhook". Zendesk makes its own signing secret: open the webhook, click "Reveal secret" '
            'and copy it into "Re-enter the secret" for this connection on /admin/integrations '
            f'(until then deliveries are refused as not matching the secret {secret[:4]}…).',
            'Or, with triggers instead of event subscriptions: create the webhook as "Trigger or automation" (POST, '
            'JSON, same URL and signing), then a trigger on "Ticket is Created" or "Ticket is Updated" whose action '
            '"Notify by > Active webhook" sends this body:\n' + zendesk.TRIGGER_BODY,
        ]
    return [
        'In Freshdesk, open Admin → Workflows → Automations → "Ticket creation" and click "New rule"; give it a '
        'condition every ticket meets, and as its action choose "Trigger webhook".',
        f'Request type POST, URL: {url}',
        f'Tick "Requires authentication": any user name (e.g. deskquest), and as the password: {secret} (or add a '
        'custom header X-DeskQuest-Secret with that value).',
        'Encoding JSON, Content "Advanced", and paste this body exactly:\n' + freshdesk.BODY,
        'Save, then make the same action in a "Ticket updates" rule that runs on these events: '
        + ', '.join(freshdesk.SUBSCRIBED[1:]) + '.',
        'Freshdesk sends no time with its webhooks: DeskQuest times each delivery by its arrival.',
    ]


def checked_base_url(kind: str, text: str) -> str:
    """The helpdesk's address as a lead typed it, without a trailing slash; '' clears it.

    :raises ActionError: when it is not an http(s) address without query or fragment.
    """
    text = checked_text(text, N_('Address'), MAX_BASE_URL).strip().rstrip('/')
    if not text:
        return ''
    parts = urlsplit(text)
    if len(text) > MAX_BASE_URL or parts.scheme not in ('https', 'http') or not parts.netloc or parts.query or \
            parts.fragment or any(c.isspace() or not c.isprintable() for c in text):
        raise ActionError(_("Give the helpdesk's address as a web address, e.g. {example} (at most {max_length} "
                            'characters).').format(example=BASE_URL_EXAMPLES[kind], max_length=MAX_BASE_URL))
    return text


def ticket_url(kind: str, base_url: str, ticket: str) -> str | None:
    """The ticket's page in its helpdesk, when the connection knows the helpdesk's address."""
    if not base_url or kind not in TICKET_PATHS:
        return None
    return base_url + TICKET_PATHS[kind].format(ticket=quote(ticket, safe=''))
