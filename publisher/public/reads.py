"""Everything the public site may read or write in the database, in one place.

`publisher public-role create` grants exactly this to the public site's PostgreSQL role, column by column, and
nothing else; so a public page that reads a new table or column adds it here, or fails with "permission
denied" on a public host (tests/publisher/public/test_role.py runs the feed through the role).
"""

from __future__ import annotations

# table -> the columns the public pages select. The feeds (publisher.publishing.feeds.load_feed) read these;
# the public agenda (publisher.activities.public_view) reads agenda_entries, the public copies of events.
PUBLIC_READS: dict[str, tuple[str, ...]] = {
    "alembic_version": ("version_num",),  # `serve --public` checks the schema is current
    "channels": ("id", "kind", "name", "config", "created_at", "updated_at"),  # never `credentials`
    "deliveries": ("id", "post_id", "channel_id", "approval_id", "language", "status", "url", "idempotency_key",
                   "sent_at", "updated_at"),  # language: which version a delivery published
    "posts": ("id", "updated_at"),
    "post_approvals": ("id", "frozen"),
    # The public agenda (/agenda.ics, /agenda): the approved public copies of events, never `events` itself.
    # A row policy (role.py) also hides the rows whose "public from" has not passed.
    "agenda_entries": ("event_id", "uid", "sequence", "status", "kind", "public_from", "starts_at", "last_ends_at",
                       "frozen", "approved_at", "updated_at"),
}

# Tables whose rows the public role sees only once their "public from" has passed (NULL: at once).
PUBLIC_FROM_ROWS: tuple[str, ...] = ("agenda_entries",)

# table -> what public forms may do there besides reading. INSERT ... ON CONFLICT DO UPDATE needs UPDATE.
PUBLIC_FORM_WRITES: dict[str, tuple[str, ...]] = {
    "public_form_counters": ("SELECT", "INSERT", "UPDATE"),
}
