"""The words of an event's preparation, follow-up and links sections, in the reader's language: the default
checklist items by key (publisher.activities.checklist.DEFAULTS), the follow-up texts and the posts' roles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from publisher.activities.models import Event
from web.i18n import interface_language

CHECKLIST_ITEMS = {
    "invite_media": _l("Invite the media"),
    "prepare_statement": _l("Prepare the statement"),
    "book_room": _l("Book the room"),
    "photographer": _l("Photographer"),
    "accreditations": _l("Accreditations"),
    "agree_topics": _l("Agree the topics"),
    "brief_speaker": _l("Brief the speaker"),
    "protocol": _l("Protocol"),
    "interpreter": _l("Interpreter"),
    "gifts": _l("Gifts"),
    "security": _l("Security"),
    "briefing_notes": _l("Briefing notes"),
    "travel": _l("Travel and accommodation"),
    "agenda": _l("Agenda of the meeting"),
    "publish_invitation": _l("Publish the invitation"),
    "prepare_materials": _l("Prepare the materials"),
    "minutes_taker": _l("Someone to take the minutes"),
    "publish_announcement": _l("Publish the announcement"),
}

RECORDS = {"notes": _l("Notes"), "minutes": _l("Minutes"), "report": _l("Report")}

POST_ROLES = {"announcement": _l("Announcement"), "report": _l("Report after the event"), "other": _l("Other")}


def item_label(key: str | None, text: str) -> str:
    """A default item in the reader's language; a hand-typed one as typed."""
    return str(CHECKLIST_ITEMS.get(key, key)) if key else text


def event_title(event: Event) -> str:
    """The event's title in the reader's language, else in the first language it has."""
    title = event.title.get(interface_language())
    if title:
        return title
    return next((text for _language, text in event.title.items()), "") or f"#{event.id}"
