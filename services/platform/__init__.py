"""The platform: the event log writer, clock, database, settings, scheduler, directory, collector policy."""
