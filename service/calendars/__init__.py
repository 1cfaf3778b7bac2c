"""iCalendar imports of an association's events: read an .ics file, store its events
idempotently on their UIDs, report what happened to each."""
