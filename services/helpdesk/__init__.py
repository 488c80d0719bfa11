"""The helpdesk's async services: inbox, CRM, routing, automation, SLAs, presence, team chat."""
