"""What the helpdesks' webhooks say, as plain facts (issue 14): signatures checked over the raw bytes, payloads read
into :class:`~services.domain.connectors.facts.Fact` values. Pure: no I/O, no clock of its own, no database."""
