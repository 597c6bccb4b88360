"""Words for the names the core stores (roles, states), in the person's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from publisher.core.models import Hold
from publisher.publishing.channel_health import ChannelHealth
from publisher.publishing.dispatch import AUTH_PAUSE
from web.dates import format_datetime

ROLES = {
    "officer": _l("officer"),
    "approver": _l("approver"),
    "manager": _l("manager"),
    "head_of_office": _l("head of office"),
    "cabinet": _l("cabinet staff"),
    "info_officer": _l("information requests officer"),
    "admin": _l("administrator"),
}

# What each role lets a person do today (the rows of publisher.core.permissions), beside its checkbox.
ROLE_HINTS = {
    "officer": _l("Writes, edits, schedules and submits posts; uploads media."),
    "approver": _l("Approves or sends back posts that other people wrote."),
    "manager": _l("Reads the queue, the history and the audit log; changes nothing."),
    "head_of_office": _l("Oversees the office: reads the queue, the history and the audit log; approves or sends "
                         "back posts that other people wrote."),
    "cabinet": _l("The minister's cabinet: reads the queue, the calendar and the history."),
    "info_officer": _l("Handles requests for access to public information; reads the queue, the calendar and "
                       "the history."),
    "admin": _l("Runs channels and accounts."),
}

POST_STATES = {
    "draft": _l("draft"),
    "pending_approval": _l("waiting for approval"),
    "scheduled": _l("scheduled"),
    "publishing": _l("publishing"),
    "published": _l("published"),
    "partially_published": _l("partly published"),
    "failed": _l("failed"),
    "rejected": _l("sent back"),
    "cancelled": _l("cancelled"),
}

DELIVERY_STATES = {
    "pending": _l("waiting"),
    "sending": _l("sending"),
    "retry_wait": _l("will retry"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "unknown": _l("outcome unknown"),
    "stale": _l("too late to send unasked"),
    "cancelled": _l("cancelled"),
}

# publisher.publishing.channel_health: a channel's verdict and its reason, in words.
CHANNEL_HEALTH = {
    "healthy": _l("healthy"),
    "expiring": _l("credentials expire soon"),
    "failing": _l("failing"),
    "broken": _l("not publishing"),
}
CHANNEL_REASONS = {
    "switched_off": _l("the channel is switched off: nothing goes out on it"),
    "credentials_refused": _l("the platform refused the login: renew the credentials, then release the pause"),
    "check_refused": _l("the platform has refused the credentials since %(time)s: renew them in the channel's "
                        "settings"),
    "credentials_expiring": _l("the credentials expire on %(time)s: renew them before then"),
    "paused": _l("the channel is paused: nothing goes out on it until it is released"),
    "rate_limited": _l("the platform asked us to slow down: posts wait until it lets us send again"),
    "retrying": _l("deliveries failed and wait to be tried again"),
    "failed": _l("deliveries failed in the last day"),
    "ok": _l("no problems"),
}

# A post's language (BCP 47, as Post.language stores it) named in the reader's language.
POST_LANGUAGES = {
    "sr-Latn": _l("Serbian (Latin)"),
    "sr-Cyrl": _l("Serbian (Cyrillic)"),
    "sq": _l("Albanian"),
    "en": _l("English"),
}


def channel_reason(verdict: ChannelHealth) -> str:
    """Why a channel has its verdict, in words, with the moment when the reason has one."""
    words = CHANNEL_REASONS.get(verdict.reason, CHANNEL_REASONS["ok"])
    # Only check_refused and credentials_expiring have a moment, and they always have one.
    return str(words) % {"time": format_datetime(verdict.at, "short")} if verdict.at else str(words)


def language_name(code: str | None) -> str:
    """A language code in words; one this table does not know is named as "another language"."""
    if not code:
        return ""
    return str(POST_LANGUAGES[code]) if code in POST_LANGUAGES else gettext("another language (%(code)s)", code=code)


# A channel wants a language version the post has not got (publisher.posts.publishable.language_problems).
LANGUAGE_MISSING = _l("the %(language)s version is missing, and %(channel)s publishes it: write it, or ask the "
                      "administrator to change the channel's language versions")


def language_problem(params: Mapping[str, Any]) -> str:
    """The language_missing problem in words, the language named in the reader's language (not its tag)."""
    return str(LANGUAGE_MISSING) % {"language": language_name(str(params.get("language", ""))),
                                    "channel": params.get("channel", "")}


def role_list(roles: frozenset[str] | set[str]) -> str:
    return ", ".join(str(ROLES.get(r, r)) for r in sorted(roles))


def sent_back_reason(reason: dict | None) -> str:
    """Why an approved post waits for approval again although nobody edited it (Post.sent_back)."""
    if not reason:
        return ""
    params = reason.get("params") or {}
    if reason.get("code") == "media_alt_changed":
        return str(_l("The alt text of “%(file)s” in the media library changed after approval, so the post "
                      "waits for approval again with the new text.", file=params.get("file", "")))
    if reason.get("code") == "channel_languages_changed":
        return str(_l("The language versions that %(channel)s publishes changed after approval, so the post "
                      "waits for approval again.", channel=params.get("channel", "")))
    return str(_l("Something this post uses changed after approval, so it waits for approval again."))
# The audit log's actions as the audit page names them (the log stores the keys).
AUDIT_ACTIONS = {
    "activities.weekly_plan.failed": _l("weekly plan could not be prepared"),
    "activities.weekly_plan.prepare": _l("weekly plan prepared"),
    "activities.weekly_plan.send": _l("weekly plan sent"),
    "approval.approve": _l("approved"),
    "approval.lapse": _l("approval lapsed after an edit"),
    "approval.send_back": _l("sent back for changes"),
    "approval.submit": _l("submitted for approval"),
    "approval.withdraw": _l("withdrawn from approval"),
    "calendar_feed.create": _l("personal calendar feed created"),
    "calendar_feed.revoke": _l("personal calendar feed revoked"),
    "event.checklist_add": _l("checklist item added"),
    "event.checklist_defaults": _l("checklist made for the event's kind"),
    "event.checklist_remove": _l("checklist item removed"),
    "event.checklist_tick": _l("checklist item done"),
    "event.checklist_untick": _l("checklist item not done"),
    "event.create": _l("event planned"),
    "event.edit": _l("event edited"),
    "event.followup": _l("notes, minutes or report written"),
    "event.media_link": _l("photo linked to an event"),
    "event.media_unlink": _l("photo unlinked from an event"),
    "event.occurrence_move": _l("one occurrence moved"),
    "event.occurrence_restore": _l("one occurrence restored"),
    "event.occurrence_skip": _l("one occurrence cancelled"),
    "event.post_link": _l("post linked to an event"),
    "event.post_role": _l("post's role for an event changed"),
    "event.post_unlink": _l("post unlinked from an event"),
    "event.status": _l("event's status changed"),
    "official.save": _l("official added or changed"),
    "alert.resolve": _l("alert resolved"),
    "auth.lockout": _l("account locked after failed sign-ins"),
    "auth.login": _l("signed in"),
    "auth.rate_limited": _l("API requests from one address held back: too many bad tokens"),
    "auth.refused": _l("API request refused: bad token"),
    "auth.session_ended": _l("session ended"),
    "auth.sign_in": _l("signed in"),
    "auth.sign_in_failed": _l("sign-in failed"),
    "auth.sign_in_refused": _l("sign-in refused"),
    "auth.sign_out": _l("signed out"),
    "channel.add": _l("channel added"),
    "channel.check": _l("channel checked"),
    "channel.credentials": _l("channel's credentials checked: the outcome changed"),
    "channel.disable": _l("channel switched off"),
    "channel.edit": _l("channel settings changed"),
    "channel.enable": _l("channel switched on"),
    "credentials.rotate": _l("channel credentials re-encrypted"),
    "delivery.cancel": _l("delivery cancelled by a person"),
    "delivery.failed": _l("delivery refused by the channel"),
    "delivery.lease_expired": _l("delivery lost its worker"),
    "delivery.reconcile": _l("delivery found on the channel afterwards"),
    "delivery.retry": _l("delivery will be retried"),
    "delivery.retry_now": _l("delivery retried now by a person"),
    "delivery.send_again": _l("delivery sent again by a person"),
    "delivery.sent": _l("delivery went out"),
    "delivery.stale": _l("delivery too late to send unasked"),
    "delivery.unknown": _l("delivery outcome unknown"),
    "delivery.worker_lost": _l("delivery's worker stopped answering"),
    "delivery.went_out": _l("a person recorded that a delivery went out"),
    "document.detach": _l("document taken off a record"),
    "document.upload": _l("document attached"),
    "document.version": _l("new version of a document"),
    "hold.off": _l("publishing released"),
    "hold.on": _l("publishing held"),
    "media.describe": _l("media description changed"),
    "media.upload": _l("media uploaded"),
    "notifications.choices": _l("notification choices changed"),
    "post.approve": _l("post approved"),
    "post.cancel": _l("post cancelled"),
    "post.create": _l("post written"),
    "post.delete": _l("draft deleted"),
    "post.duplicate": _l("post written as a copy of another"),
    "post.edit": _l("post edited"),
    "post.failed": _l("post failed"),
    "post.partially_published": _l("post partly published"),
    "post.published": _l("post published"),
    "post.publishing": _l("post publishing started"),
    "post.reject": _l("post sent back"),
    "post.sent_back": _l("post back for approval: something it uses changed"),
    "post.submit": _l("post sent for approval"),
    "post.withdraw": _l("post withdrawn from approval"),
    "import.people": _l("people imported from a spreadsheet"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "user.add": _l("person added"),
    "user.edit": _l("person changed"),
    "user.locale": _l("language changed"),
    "user.password": _l("password changed"),
    "user.password_refused": _l("password change refused"),
    "user.password_reset": _l("password reset"),
}


def audit_action(key: str) -> str:
    """An action's name in the person's language; one this table does not know yet is named as "other"."""
    return str(AUDIT_ACTIONS[key]) if key in AUDIT_ACTIONS else gettext("another action")


# Why a delivery is not (yet) sent, by Delivery.error_kind; the platform's own sentence stays for experts.
ERROR_KINDS = {
    "auth": _l("the platform refused the login: the channel's credentials need renewing"),
    "rate_limited": _l("the platform asked us to slow down: it is sent again when it lets us"),
    "retryable": _l("the platform could not take it just now: it is tried again"),
    "rejected": _l("the platform refused it"),
    "outcome_unknown": _l("the platform's answer did not come: it may or may not have the post"),
    "adapter_error": _l("an unexpected error while sending: the platform may or may not have the post"),
    "stale": _l("its time passed long ago: send it now or cancel it"),
    "lease_expired": _l("the sending stopped halfway: publisher is checking with the platform"),
    "worker_lost": _l("the sending process stopped answering: publisher is checking with the platform"),
    "reconciled": _l("sent again after an unclear outcome"),
    "needs_person": _l("the platform cannot tell whether it has the post: a person must say"),
    "person": _l("sent again on a person's decision"),
}


def error_kind(kind: str | None) -> str:
    if not kind:
        return ""
    return str(ERROR_KINDS[kind]) if kind in ERROR_KINDS else gettext("something went wrong")


# The processes that act besides people (AuditEvent.actor_name), by the part before ":".
PROCESSES = {
    "worker": _l("the publishing process"),
    "reaper": _l("the watch over stopped publishing processes"),
    "reconciler": _l("the check of unclear outcomes"),
    "cli": _l("the command line on the server"),
    "demo": _l("the demonstration data"),
}
# How a person acted (AuditEvent.via), by the part before ":".
CHANNELS_OF_ACTION = {
    "web": _l("in the browser"),
    "web-session": _l("in the browser"),
    "api": _l("through the API"),
    "api-token": _l("through the API"),
}


def who(name: str | None, actor_id: int | None) -> str:
    """A person (an audit row with an actor_id) by their account name; a process in words."""
    if actor_id is not None or not name:
        return name or ""
    head = name.split(":", 1)[0]
    return str(PROCESSES[head]) if head in PROCESSES else gettext("the system")


def via(value: str | None) -> str:
    if not value:
        return ""
    head = value.split(":", 1)[0]
    if head in CHANNELS_OF_ACTION:
        return str(CHANNELS_OF_ACTION[head])
    return str(PROCESSES[head]) if head in PROCESSES else gettext("another way")


# What an audit row is about (AuditEvent.subject, "channel:3"), in words.
SUBJECTS = {
    "channel": _l("channel no. %(id)s"),
    "user": _l("person no. %(id)s"),
    "post": _l("post no. %(id)s"),
    "delivery": _l("delivery no. %(id)s"),
    "alert": _l("alert no. %(id)s"),
    "media": _l("file no. %(id)s"),
    "document": _l("document no. %(id)s"),
    "token": _l("API token no. %(id)s"),
    "hold": _l("hold no. %(id)s"),
    "session": _l("browser session no. %(id)s"),
    "import": _l("the spreadsheet %(id)s…"),  # the start of its SHA-256, as the audit row's detail has it whole
}


def subject(value: str | None) -> str:
    if not value:
        return ""
    head, _, rest = value.partition(":")
    if head in SUBJECTS and rest:
        return str(SUBJECTS[head]) % {"id": rest}
    return gettext("something else")


def is_web_link(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("http://", "https://"))


# A file's type in words ("image (JPEG)") instead of its MIME type ("image/jpeg").
MEDIA_FAMILIES = {"image": _l("image (%(format)s)"), "video": _l("video (%(format)s)"),
                  "audio": _l("sound (%(format)s)"), "application": _l("document (%(format)s)"),
                  "text": _l("text (%(format)s)")}
_FORMATS = {"jpeg": "JPEG", "quicktime": "MOV", "svg+xml": "SVG", "mpeg": "MPEG"}


def media_type(content_type: str | None) -> str:
    if not content_type or "/" not in content_type:
        return gettext("file")
    family, _, sub = content_type.partition("/")
    fmt = _FORMATS.get(sub, sub.upper())
    return str(MEDIA_FAMILIES.get(family, _l("file (%(format)s)"))) % {"format": fmt}


def hold_reason(hold: Hold) -> str:
    """A hold's reason as a person reads it: a person's own words as written; the worker's pause in words."""
    if hold.created_by == "worker" and hold.reason.startswith(AUTH_PAUSE):
        return gettext("the platform refused the channel's credentials: renew them in the channel's settings, "
                       "then resume the channel")
    return hold.reason


def hold_by(hold: Hold) -> str:
    """Who holds: a person by name, the publishing process in words."""
    return str(PROCESSES["worker"]) if hold.created_by == "worker" else hold.created_by
