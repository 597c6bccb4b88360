"""Activities: the weekly calendar of the minister and the ministry, and what of it the public may see.

- `kinds`: the kinds of event, their statuses and visibilities;
- `models`: events, the office's list of officials who take part, and who takes part in which event;
- `timing`: an event's time as written (local wall time and IANA zone, or dates) and as UTC instants;
- `input`: a form's or the API's fields checked into an `EventInput`, each refusal naming its field;
- `events`: create, edit, change the status, cancel or move one occurrence; every change audited;
- `officials`: the list the office keeps of who takes part (the minister, state secretaries, ...);
- `approval`: the event as an approval subject: exactly its public fields are frozen and approved;
- `public_view`: what the public sees of an event now (last approved version, current status, "public from");
- `calendar`: the events, with their occurrences, that overlap a window, filtered by kind, person and status.
"""
