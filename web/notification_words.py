"""A notification in words, in the reader's language: for the dashboard's list (flask_babel's gettext) and
for its e-mail, which the worker writes outside any request (the catalog of the recipient's language).

Notifications store facts (publisher.notifications.making); the sentences are chosen here, when they are
read, so that a person who changes their language reads the old ones in the new language too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial

from babel.support import NullTranslations, Translations

from publisher.notifications import choices as k
from publisher.notifications.models import Notification
from web.catalogs import TRANSLATIONS
from web.i18n import BABEL_LOCALES, DEFAULT_LANGUAGE

Say = Callable[..., str]  # gettext with %(name)s keywords filled in
WEEKLY_PLAN_PATH = "/events/weekly-plan"  # web.activities.weekly_plan_pages.index


@dataclass(frozen=True)
class Missed:
    channel: str
    reason: str  # in words
    original: str | None  # what the platform or the worker said, kept for experts


@dataclass(frozen=True)
class Described:
    headline: str
    comment: str | None = None  # the approver's own words
    note: str | None = None  # why it was sent back, when nobody wrote a comment
    links: list[tuple[str, str | None]] = field(default_factory=list)  # (channel, link) of each delivery sent
    missed: list[Missed] = field(default_factory=list)


def _title(n: Notification, _: Say) -> str:
    return (n.data or {}).get("title") or _("a post without a title")


def _missed_reason(status: str | None, _: Say) -> str:
    if status == "cancelled":
        return _("its delivery was cancelled")
    if status == "unknown":
        return _("nobody knows whether it went out")
    if status == "stale":
        return _("it was too late to send it without asking")
    if status == "failed":
        return _("the platform refused it")
    return _("it did not go out")


def describe(n: Notification, _: Say, alert_name: Callable[[str], str] | None = None) -> Described:
    """The notification's sentences. `alert_name` words an alert's kind (alerts are listed, never mailed here)."""
    data = n.data or {}
    title, name = _title(n, _), data.get("by") or _("someone")
    if n.kind == k.AWAITING_APPROVAL:
        return Described(_("“%(title)s” waits for your approval (sent by %(name)s).", title=title, name=name))
    if n.kind == k.APPROVAL_REMINDER:
        return Described(_("“%(title)s” is still waiting for approval.", title=title))
    if n.kind == k.APPROVED:
        return Described(_("%(name)s approved “%(title)s”.", title=title, name=name))
    if n.kind == k.SENT_BACK:
        if data.get("comment"):
            return Described(_("%(name)s sent “%(title)s” back.", title=title, name=name), comment=data["comment"])
        reason = data.get("reason") or {}
        note = _("The alt text of “%(file)s” in the media library changed after approval, so the post waits "
                 "for approval again with the new text.", file=(reason.get("params") or {}).get("file", "")) \
            if reason.get("code") == "media_alt_changed" else \
            _("Something this post uses changed after approval, so it waits for approval again.")
        return Described(_("“%(title)s” waits for approval again.", title=title), note=note)
    links = [(_where(link), link.get("url")) for link in data.get("links", [])]
    if n.kind == k.PUBLISHED:
        return Described(_("“%(title)s” was published.", title=title), links=links)
    if n.kind == k.FAILED:
        missed = [Missed(_where(m), _missed_reason(m.get("status"), _), m.get("error"))
                  for m in data.get("failures", [])]
        headline = _("“%(title)s” was published only in part.", title=title) if data.get("partial") else \
            _("“%(title)s” could not be published.", title=title)
        return Described(headline, links=links, missed=missed)
    if n.kind == k.WEEKLY_PLAN_WAITING:
        week = data.get("week") or data.get("title") or ""
        if data.get("state") == "failed":
            return Described(_("The weekly plan for the week of %(week)s could not be made.", week=week),
                             note=_("Open the weekly plan page to see why and to try again."))
        return Described(_("The weekly plan for the week of %(week)s is ready and waits for your “send”.",
                           week=week))
    if n.kind == k.ALERT:
        what = alert_name(data.get("alert_kind", "")) if alert_name else ""
        return Described(_("Alert about “%(title)s”: %(what)s", title=title, what=what) if data.get("title")
                         else _("Alert: %(what)s", what=what))
    return Described(_("Something happened that concerns you."))


def _where(outcome: dict) -> str:
    """The channel, with the language version when the channel takes them one by one ("Sajt (sq)")."""
    channel, language = outcome.get("channel", ""), outcome.get("language")
    return f"{channel} ({language})" if language else channel


# --- the e-mail ----------------------------------------------------------------------------------------

@cache
def _catalog(language: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [BABEL_LOCALES.get(language, BABEL_LOCALES[DEFAULT_LANGUAGE])])


def _say(catalog: NullTranslations, message: str, **values: str) -> str:
    text = catalog.gettext(message)
    return text % values if values else text


def _post_path(n: Notification) -> str:
    """The dashboard's page of the post (web.approvals.detail for the approvers, else web.history.post_detail)."""
    if n.kind in (k.AWAITING_APPROVAL, k.APPROVAL_REMINDER):
        return f"/approvals/{n.post_id}"
    return f"/posts/{n.post_id}"


def mail_words(n: Notification, language: str, *, base_url: str | None = None) -> tuple[str, str]:
    """(subject, body) of a notification's e-mail in `language`: what the worker's mailing job is handed."""
    _ = partial(_say, _catalog(language))
    said = describe(n, _)
    lines = [said.headline, ""]
    if said.comment:
        lines += [_("Comment: %(comment)s", comment=said.comment), ""]
    if said.note:
        lines += [said.note, ""]
    if said.links:
        lines += [_("Where it went out:")] + [f"- {channel}: {url or _('sent')}" for channel, url in said.links] + [""]
    if said.missed:
        lines += [_("Where it did not go out:")] + [
            f"- {m.channel}: {m.reason}" + (f" ({m.original})" if m.original else "") for m in said.missed] + [""]
    if n.post_id and base_url:
        lines += [_("Open it: %(link)s", link=base_url + _post_path(n)), ""]
    elif n.kind == k.WEEKLY_PLAN_WAITING and base_url:
        lines += [_("Open it: %(link)s", link=base_url + WEEKLY_PLAN_PATH), ""]
    lines += ["-- ", _("You get this e-mail because of your notification choices; change them on your account "
                       "page in Publisher.")]
    subject = _("[Publisher] %(headline)s", headline=said.headline)
    return subject[:200], "\n".join(lines) + "\n"
