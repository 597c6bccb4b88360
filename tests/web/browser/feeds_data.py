"""Data for the calendar feed and .ics import pages in the browser tests."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from publisher.activities import feed_tokens
from publisher.imports import staging
from tests.factories.office import Office
from tests.publisher.activities.test_ical_import import TRIP, WEEKLY, ics
from web.activities.ical_import_pages import KIND

# A file with a good series, a trip abroad and a row refused (a zone that is not IANA): the preview's problems.
ICS_FILE = ics(WEEKLY, TRIP, TRIP.replace("trip@", "bad@").replace("America/New_York", "Eastern Standard Time"))
ICS_PREVIEW = f"/events/import/{hashlib.sha256(ICS_FILE).hexdigest()}?zone=Europe/Belgrade&lang=sr-Latn"


def calendar_feeds(session: Session, office: Office) -> None:
    feed_tokens.create(session, office.actor("ana"), detail="busy")
    feed_tokens.create(session, office.actor("ana"), detail="full", all_events=True)


def ics_file_kept(session: Session, office: Office) -> None:
    staging.keep(staging.folder(office.runtime.settings.instance_dir), ICS_FILE, kind=KIND)
