"""What an area registers to make its records approvable: a subject type.

An area (activities, releases, answers to requests…) describes its records once, at import time, with
`register(SubjectType(...))`; the approval service and the approval panel then work on any of them by
`Subject(type name, record id)`. The hooks take the caller's session and never commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from channels.base import Problem
from publisher.core.errors import NotFound


@dataclass(frozen=True)
class SubjectType:
    name: str  # "activity", "release"…: stored in approval_requests.subject_type (at most 32 characters)
    # Who decides: the permission area whose "approve" rule names the approvers and whose "submit" rule
    # names who may ask (publisher.core.permissions).
    area: str
    load: Callable[[Session, int], Any | None]  # the record, or None when there is none
    # Exactly what will go out, as a JSON-able dict: approval binds its hash and keeps it.
    freeze: Callable[[Any], dict[str, Any]]
    contributors: Callable[[Any], set[int]]  # user ids of its author and co-editors: none of them approves it
    title: Callable[[Any], str]  # how lists and the panel name it
    # Why this version cannot go out (empty: it can); asked at submit and at approval.
    problems: Callable[[Any, dict[str, Any]], list[Problem]] = lambda record, frozen: []
    # How a message names it: "the release", "the activity" (English, for the API and the logs).
    noun: str = "the record"
    # Called in the approving transaction once a version is approved (session, record, the frozen version):
    # an area that keeps a public copy of what was approved (the agenda) writes it here.
    approved: Callable[[Session, Any, dict[str, Any]], None] | None = None


@dataclass(frozen=True)
class Subject:
    """One approvable record: its type's name and its id."""

    type: str
    id: int

    @property
    def label(self) -> str:
        return f"{self.type}:{self.id}"


MAX_ID = 2**31 - 1
_TYPES: dict[str, SubjectType] = {}


def register(subject_type: SubjectType) -> SubjectType:
    """Make a type approvable; registering the same name twice with other hooks is a programming error."""
    known = _TYPES.get(subject_type.name)
    if known is not None and known != subject_type:
        raise ValueError(f"approval subject type {subject_type.name!r} is already registered")
    if len(subject_type.name) > 32:
        raise ValueError(f"approval subject type name {subject_type.name!r} is longer than 32 characters")
    _TYPES[subject_type.name] = subject_type
    return subject_type


def unregister(name: str) -> None:
    """Tests register types of their own and remove them after."""
    _TYPES.pop(name, None)


def subject_type(name: str) -> SubjectType:
    try:
        return _TYPES[name]
    except KeyError:
        raise NotFound(f"nothing called {name!r} is approved here", code="unknown_subject_type") from None


def registered() -> list[SubjectType]:
    return sorted(_TYPES.values(), key=lambda t: t.name)


def load(session: Session, subject: Subject) -> tuple[SubjectType, Any]:
    """The subject's type and record, or NotFound naming it."""
    kind = subject_type(subject.type)
    # Ids are database integers: one past what a column holds is no record (and no PostgreSQL error).
    record = kind.load(session, subject.id) if 0 < subject.id <= MAX_ID else None
    if record is None:
        raise NotFound(f"no {subject.type} with id {subject.id}")
    return kind, record
