"""Audit rows name people by id and carry no personal data, so that a person's data can be erased later
without touching the chained log."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from publisher.core.models import AuditEvent
from publisher.people import accounts, signin, users
from tests.factories.posts import approved_post

NOW = datetime(2031, 5, 4, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


def test_a_typical_story_leaves_no_name_address_or_typed_text_in_the_log(session, rt, office):
    admin = office.actor("admin")
    person = users.create(session, admin, name="dragana", display_name="Dragana Petrović",
                          email="dragana.petrovic@ministarstvo.example", roles=["officer"], password=PASSWORD)
    session.commit()
    users.update(session, admin, person, display_name="Dragana Petrović Ilić", email="dragana@privatna.example",
                 roles=["officer", "approver"], active=True, locale="sr-Latn", now=NOW)
    _, token = accounts.create_token(session, person, actor=admin, name="laptop")
    session.commit()
    for typed in ["dragana"] * 6 + ["neko.drugi@gmail.example", "Marko Marković"]:
        signin.sign_in(session, typed, "wrong password", ip="192.0.2.7", now=NOW)
    session.commit()
    signin.sign_in(session, "ana", "x" * 12, ip="192.0.2.8", now=NOW)
    approved_post(session, rt, office, author="ana", approver="marko")
    session.commit()

    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    text = "\n".join(json.dumps([r.actor_name, r.subject, r.before, r.after, r.detail], ensure_ascii=False)
                     for r in rows)
    for personal in ("@", "Dragana", "Petrović", "dragana", "neko.drugi", "Marko Marković", "Ilić"):
        assert personal not in text, personal
    people = {u.name for u in office.users.values()} | {"dragana"}
    assert not {r.actor_name for r in rows} & people  # people by actor_id only
    assert {r.who for r in rows if r.actor_id == office.users["admin"].id} == {"admin"}  # named when shown
    edit = next(r for r in rows if r.action == "user.edit")
    assert edit.detail == {"personal_fields_changed": ["display_name", "email"]}
    assert edit.after["roles"] == ["approver", "officer"]
    assert {r.action for r in rows} >= {"user.add", "user.edit", "token.create", "auth.sign_in_failed",
                                        "auth.lockout", "post.approve"}
