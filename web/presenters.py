"""Records as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from publisher.core.models import Alert, AuditEvent, Channel, ChannelCheck, Delivery, Hold, Media, Post, User
from publisher.core.runtime import Runtime
from publisher.notifications.models import Notification
from publisher.posts.schedule_time import format_local


def when(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def user(u: User | None) -> dict[str, Any] | None:
    if u is None:
        return None
    return {"id": u.id, "name": u.name, "display_name": u.display_name, "roles": sorted(u.roles)}


def channel(c: Channel, check: ChannelCheck | None = None) -> dict[str, Any]:
    # Never the credentials: only which secret settings are set, and what the last credential check found.
    return {"id": c.id, "name": c.name, "kind": c.kind, "enabled": c.enabled, "config": c.config,
            "max_concurrency": c.max_concurrency, "rate_limited_until": when(c.rate_limited_until),
            "created_at": when(c.created_at), "credentials": None if check is None else {
                "outcome": check.outcome, "checked_at": when(check.checked_at), "since": when(check.since),
                "expires_at": when(check.expires_at)}}


def media(m: Media) -> dict[str, Any]:
    return {"id": m.id, "sha256": m.sha256, "content_type": m.content_type, "size": m.size,
            "width": m.width, "height": m.height, "alt_text": m.alt_text, "credit": m.credit,
            "original_name": m.original_name, "url": f"/api/v1/media/{m.id}/file", "created_at": when(m.created_at)}


def delivery(d: Delivery, *, attempts: bool = False) -> dict[str, Any]:
    out = {"id": d.id, "post_id": d.post_id, "channel": d.channel.name, "channel_id": d.channel_id,
           "status": d.status, "attempts": d.attempts, "due_at": when(d.due_at),
           "next_attempt_at": when(d.next_attempt_at), "remote_id": d.remote_id, "url": d.url,
           "error": d.error, "error_kind": d.error_kind, "sent_at": when(d.sent_at),
           "idempotency_key": d.idempotency_key, "language": d.language}
    if attempts:
        out["attempt_log"] = [{"number": a.number, "worker": a.worker_id, "started_at": when(a.started_at),
                               "finished_at": when(a.finished_at), "outcome": a.outcome, "error": a.error}
                              for a in d.attempt_rows]
    return out


def hold(h: Hold) -> dict[str, Any]:
    return {"id": h.id, "channel": h.channel.name if h.channel else None, "reason": h.reason,
            "by": h.created_by, "since": when(h.created_at)}


def alert(a: Alert) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "message": a.message, "post_id": a.post_id, "delivery_id": a.delivery_id,
            "channel_id": a.channel_id, "created_at": when(a.created_at), "notified_at": when(a.notified_at),
            "notify_error": a.notify_error, "resolved_at": when(a.resolved_at), "resolved_by": a.resolved_by,
            "resolution_comment": a.resolution_comment}


def event(e: AuditEvent) -> dict[str, Any]:
    return {"action": e.action, "actor": e.who, "via": e.via, "at": when(e.at),
            "before": e.before, "after": e.after, "detail": e.detail}


def post(p: Post, rt: Runtime, *, brief: bool = False, events: list[AuditEvent] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": p.id, "status": p.status, "title": p.title, "language": p.language,
        "scheduled_at": when(p.scheduled_at), "timezone": p.timezone,
        "scheduled_local": format_local(p.scheduled_at, p.timezone) if p.scheduled_at else None,
        "channels": [{"id": c.id, "name": c.name, "kind": c.kind} for c in p.channels],
        "author": p.author.name, "approved_by": p.approved_by.name if p.approved_by else None,
        "created_at": when(p.created_at), "updated_at": when(p.updated_at),
    }
    if brief:
        return out
    out.update({
        "body": p.body,
        "variants": p.variants or {},
        "translations": p.translations or {},
        "media": [{**media(link.media), "alt_text": link.effective_alt_text, "position": link.position}
                  for link in p.media_links],
        "content_hash": p.content_hash,
        "approved_at": when(p.approved_at),
        "submitted_at": when(p.submitted_at),
        "rejection": ({"comment": p.rejection_comment, "by": p.rejected_by.name if p.rejected_by else None}
                      if p.status == "rejected" else None),
        "sent_back": p.sent_back,  # {"code", "params"}: why an approved post waits for approval again
        "deliveries": [delivery(d) for d in p.deliveries],
    })
    if events is not None:
        out["events"] = [event(e) for e in events]
    return out


def notification(n: Notification, text: str) -> dict[str, Any]:
    """`text`: the notification in words, in the request's language; `data` holds the facts it was made of."""
    return {"id": n.id, "kind": n.kind, "post_id": n.post_id, "alert_id": n.alert_id, "text": text,
            "data": n.data, "created_at": when(n.created_at), "read_at": when(n.read_at),
            "mailed_at": when(n.mailed_at)}
