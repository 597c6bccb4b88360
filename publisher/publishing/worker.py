"""`publisher worker`: sends every due delivery at its time and looks after the ones that went wrong.

Threads: one dispatch loop (claims and hands sends to the pool), a pool of senders with a limit per
channel, and APScheduler's clock for the periodic jobs: the dispatch tick, heartbeats, lease reaping
and reconciliation, the watchdog, and the mail: alerts and notifications into the outbox, the outbox out. Every job survives a database outage and
carries on when the database is back; an outcome that could not be stored is kept and stored later.

Fencing: other workers take this worker's claims once its heartbeat is older than the channel's longest
request plus the grace (dispatch.reap_dead_workers). So this worker starts no request once its last
heartbeat that reached the database is half the grace old (`may_send`, checked before each send and by
the HTTP session before each request): whatever it still has on the wire then ends within its timeout,
before the others look. Each claim carries a token and recording checks it, so an outcome heard after
the claim was taken writes nothing. A heartbeat that finds the worker declared dead makes it drop the
sends it had not started and go on under a new id, never touching its old claims.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import secrets
import signal
import socket
import threading
import time
from collections import defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select, update
from sqlalchemy.exc import InterfaceError, OperationalError

from channels.base import Channel as Adapter
from channels.base import Published
from channels.errors import ChannelConfigError, Rejected, Retryable
from publisher.activities import plan_schedule
from publisher.activities.weekly_plan import PlanConfig, PlanPrinting
from publisher.audit import chain as audit_chain
from publisher.audit import verify as audit_verify
from publisher.audit.chain import Head
from publisher.core.config import MailboxSettings, Settings
from publisher.core.errors import CredentialKeyError
from publisher.core.mail import MailSettings
from publisher.core.models import Channel, Delivery, Hold, WorkerBeat
from publisher.core.runtime import Runtime
from publisher.core.states import DeliveryStatus
from publisher.destinations.channel_store import build_adapter
from publisher.destinations.content import load_contents
from publisher.imports import staging
from publisher.mailbox import reading as mailbox_reading
from publisher.notifications import mailing, reminders
from publisher.notifications.mailing import MailWords
from publisher.outbox import bounced as outbox_bounced
from publisher.outbox import sending as outbox
from publisher.outbox.sending import OutboxPolicy
from publisher.outbox.throttle import Limits
from publisher.people import request_limits, signin
from publisher.public import form_guard
from publisher.publishing import alerts, channel_admin, credential_checks, dispatch
from publisher.publishing.credential_checks import CheckPolicy
from publisher.publishing.dispatch import Claim, DispatchPolicy
from publisher.publishing.health import WORKER_SILENCE
from publisher.publishing.http import NotSending, WorkerHttp
from publisher.publishing.reconcile import reconcile_unknown

log = logging.getLogger(__name__)
# Connection-level failures (server down, restarting, network): worth waiting out. Anything else
# from the database is a bug or a constraint, and retrying it forever would hide it.
DB_ERRORS = (OperationalError, InterfaceError)
RECORD_BATCH = 200
RECORD_GATHER_SECONDS = 0.003  # wait this long for more finished sends: fewer, larger transactions
MAX_UNRECORDED = 1000  # sent but not yet stored: past this, the dispatch loop waits for the recorder
STALE_SWEEP_SECONDS = 1.0  # staleness is measured in minutes; once a second is plenty
_ENABLED_CHANNELS = select(Channel.id, Channel.max_concurrency, Channel.updated_at).where(Channel.enabled.is_(True))


Send = tuple[Claim, Adapter | BaseException, Any]  # a claim, its adapter (or why none), its content


@dataclass(frozen=True)
class WorkerOptions:
    policy: DispatchPolicy = field(default_factory=DispatchPolicy)
    tick_seconds: float = 1.0  # the dispatch job wakes at least this often
    heartbeat_seconds: float = 2.0
    reap_seconds: float = 5.0
    dead_worker_grace: timedelta = timedelta(seconds=15)  # see dispatch.reap_dead_workers
    watchdog_seconds: float = 30.0
    mail_seconds: float = 15.0  # alerts and notifications into the outbox
    outbox_seconds: float = 2.0  # the outbox out (a look at what is due, when nothing is)
    housekeeping_seconds: float = 3600.0
    audit_check_seconds: float = 60.0
    audit_full_check: timedelta = timedelta(hours=24)
    audit_max_lag: timedelta = timedelta(minutes=10)  # sealing yields to sends in flight, at most this long
    credentials: CheckPolicy = field(default_factory=CheckPolicy)
    credential_job_seconds: float = 300.0  # how often the job looks for channels due a check
    overdue_alert: timedelta = timedelta(minutes=10)
    silent_worker: timedelta = WORKER_SILENCE
    threads: int = 64
    stop_grace_seconds: float = 30.0
    mail: MailSettings = field(default_factory=lambda: MailSettings(host=None))
    outbox: OutboxPolicy = field(default_factory=OutboxPolicy)
    # Notifications: their mail's words in the person's language (the dashboard's catalogs: publisher.cli
    # hands them in; without them notifications wait unmailed), and the approval reminders.
    notification_words: MailWords | None = None
    approval_reminder: timedelta = timedelta(hours=24)  # zero: no reminders
    reminder_seconds: float = 300.0
    mailbox: MailboxSettings | None = None  # the mailbox with bounce reports (publisher.mailbox); None: not read
    # The weekly plan's words and document (the dashboard's: publisher.cli hands them in; without them the
    # worker makes no weekly plan) and how often it looks whether one is due.
    weekly_plan: PlanPrinting | None = None
    weekly_plan_seconds: float = 60.0


def options_from(settings: Settings) -> WorkerOptions:
    return WorkerOptions(
        policy=DispatchPolicy(lease=timedelta(seconds=settings.lease_seconds),
                              stale_after=timedelta(minutes=settings.stale_after_minutes),
                              max_attempts=settings.max_attempts),
        overdue_alert=timedelta(minutes=settings.overdue_alert_minutes),
        heartbeat_seconds=settings.heartbeat_seconds,
        dead_worker_grace=timedelta(seconds=settings.dead_worker_grace_seconds),
        reap_seconds=min(5.0, settings.dead_worker_grace_seconds / 3),  # at least three looks per grace
        threads=settings.worker_threads,
        audit_check_seconds=settings.audit_check_seconds,
        audit_full_check=timedelta(hours=settings.audit_full_check_hours),
        credentials=credential_checks.policy_from(settings),
        mail=MailSettings(host=settings.smtp_host, port=settings.smtp_port, user=settings.smtp_user,
                          password=settings.smtp_password, starttls=settings.smtp_starttls,
                          sender=settings.mail_from),
        outbox=OutboxPolicy(limits=Limits(per_minute=settings.outbox_per_minute,
                                          connections=settings.outbox_connections),
                            max_attempts=settings.outbox_max_attempts,
                            lease=timedelta(seconds=settings.outbox_lease_seconds)),
        approval_reminder=timedelta(hours=settings.approval_reminder_hours),
        mailbox=settings.mailbox,
    )


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    def __init__(self, rt: Runtime, options: WorkerOptions | None = None, *, worker_id: str | None = None) -> None:
        self.rt = rt
        self.options = options or WorkerOptions()
        self.id = worker_id or new_worker_id()
        self._pool = ThreadPoolExecutor(max_workers=self.options.threads, thread_name_prefix="send")
        # Per channel: claimed and not yet finished (what the next claim is measured against), sends
        # on the wire now (at most the channel's limit), and claimed sends waiting for a free sender.
        self._inflight: dict[int, int] = defaultdict(int)
        self._running: dict[int, int] = defaultdict(int)
        self._waiting: dict[int, deque[Send]] = defaultdict(deque)
        self._limits: dict[int, int] = {}
        self._stop_deadline: float | None = None  # set by stop(): no send starts after it
        self._futures: set[Future] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._loop_thread: threading.Thread | None = None
        self._scheduler: BackgroundScheduler | None = None
        self._adapters: dict[int, tuple[datetime, Adapter]] = {}
        # Finished sends wait here for the recorder, which stores them in batches.
        self._outcomes: queue.Queue[tuple[Claim, Any, bool]] = queue.Queue()  # (claim, result, slot freed)
        self._unrecorded = 0  # claimed and not yet recorded; guarded by _lock
        self._last_stale_sweep: datetime | None = None
        self._audit_verified: Head | None = None  # the chain is known intact up to here
        self._audit_full_at: datetime | None = None  # when the whole chain was last walked
        self._audit_checked_at: datetime | None = None  # when audit_check last sealed and verified
        # SQLite has one writer at a time. The dispatch loop and the recorder take turns on a lock here
        # rather than on SQLite's busy handler, which sleeps 1, 2, 5, 10... ms between tries.
        self._write_turn = threading.Lock() if rt.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        self._recorder = threading.Thread(target=self._record_loop, name="record", daemon=True)
        self._recorder.start()
        self._beat_at: float | None = None  # time.monotonic() of the last heartbeat stored; None: none yet
        self.http = WorkerHttp(pool_size=self.options.threads)
        self.http.gate = self._gate

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> None:
        self.heartbeat(started=True)
        self._loop_thread = threading.Thread(target=self._loop, name="dispatch", daemon=True)
        self._loop_thread.start()
        scheduler = BackgroundScheduler(timezone="UTC")
        o = self.options
        jobs = [(self.wake, o.tick_seconds), (self.heartbeat, o.heartbeat_seconds),
                (self.reap_and_reconcile, o.reap_seconds), (self.watchdog, o.watchdog_seconds),
                (self.mail_alerts, o.mail_seconds), (self.mail_notifications, o.mail_seconds),
                (self.mail_outbox, o.outbox_seconds),
                (self.remind_approvers, o.reminder_seconds),
                (self.housekeeping, o.housekeeping_seconds),
                (self.audit_check, o.audit_check_seconds),
                (self.check_credentials, o.credential_job_seconds)]
        if o.mailbox is not None:
            jobs.append((self.read_mailbox, o.mailbox.poll_minutes * 60))
        if o.weekly_plan is not None:
            jobs.append((self.weekly_plan, o.weekly_plan_seconds))
        for job, seconds in jobs:
            scheduler.add_job(_guarded(job), "interval", seconds=seconds, id=job.__name__.strip("_"),
                              name=job.__name__.strip("_"),
                              max_instances=1, coalesce=True, misfire_grace_time=max(int(seconds), 1))
        scheduler.start()
        self._scheduler = scheduler
        log.info("worker %s started", self.id)

    def stop(self, grace: float | None = None) -> None:
        """Stop claiming; let sends in flight finish (up to the grace period) and record them."""
        self._stopping.set()
        self.wake()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        if self._loop_thread is not None:
            self._loop_thread.join(timeout=5)
        deadline = time.monotonic() + (self.options.stop_grace_seconds if grace is None else grace)
        # Claimed sends still waiting for a sender go out within the grace period; any left after it
        # keep their lease, which expires, and reconciliation resends them (only platforms that dedup
        # by our key have sends waiting, see _ahead).
        self._stop_deadline = deadline
        for future in list(self._futures):
            future.result(timeout=max(deadline - time.monotonic(), 0)) if not future.done() else None
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._recorder.join(timeout=max(deadline - time.monotonic(), 1))
        try:
            with self.rt.sessions() as session:
                session.execute(update(WorkerBeat).where(WorkerBeat.id == self.id)
                                .values(stopped_at=self.rt.clock(), heartbeat_at=self.rt.clock()))
                session.commit()
        except DB_ERRORS:
            log.warning("could not mark worker %s stopped", self.id)
        log.info("worker %s stopped", self.id)

    def run_forever(self) -> None:
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.start()
        stop.wait()
        self.stop()

    def wake(self) -> None:
        self._wake.set()

    # -- fencing ----------------------------------------------------------------------------------

    def may_send(self) -> bool:
        """Whether a request started now surely ends before others may take our claims: our last stored
        heartbeat is less than half the grace old (the other half covers clocks that differ between
        machines). A worker that never beat has no row, so nobody takes its claims for silence."""
        beat = self._beat_at
        return beat is None or time.monotonic() - beat < self.options.dead_worker_grace.total_seconds() / 2

    def _gate(self) -> None:
        if not self.may_send():
            raise NotSending(f"worker {self.id} has not reached the database for too long to start a request")

    def _reincarnate(self) -> None:
        """We were declared dead: our claims are reconciliation's. Drop the sends not started yet (their
        outcome "not sent" is recorded only where the claim is still ours) and go on under a new id."""
        old, self.id = self.id, new_worker_id()
        with self._lock:
            dropped = [send for waiting in self._waiting.values() for send in waiting]
            for waiting in self._waiting.values():
                waiting.clear()
        for claim, _, _ in dropped:
            self._outcomes.put((claim, Retryable("not sent: the worker was declared dead before it began"), False))
        log.error("worker %s was declared dead (its heartbeats stopped reaching the database) and its claims "
                  "went to reconciliation; it records nothing for them and goes on as %s", old, self.id)

    # -- dispatching ------------------------------------------------------------------------------

    def _loop(self) -> None:
        failures = 0
        busy = False  # the last pass claimed something: claim again without asking what is due first
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                delay = self.dispatch_pass(probe=not busy)
                failures = 0
            except DB_ERRORS as exc:
                failures += 1
                delay = min(0.5 * 2 ** failures, 5.0)
                log.warning("database unavailable (%s); dispatch retries in %.1f s", type(exc).__name__, delay)
                busy = False
                self._stopping.wait(delay)  # a finished send must not cut the backoff short
                continue
            except Exception:  # a bug must not stop publishing for everyone
                log.exception("dispatch pass failed")
                delay = 1.0
            busy = delay == 0.0
            if delay > 0:
                self._wake.wait(delay)

    def dispatch_pass(self, probe: bool = True) -> float:
        """Claim what may go now and hand it to the pool. Returns how long the loop may sleep.

        `probe` first asks, in a reading transaction, whether anything is due at all, so that an idle
        tick never takes the write lock; right after a pass that claimed, the loop skips it."""
        policy = self.options.policy
        now = self.rt.clock()
        tick = self.options.tick_seconds
        if not self.may_send():  # nothing is claimed that could not start at once
            return tick
        if probe:
            with self.rt.read_sessions() as session:
                upcoming = dispatch.next_due(session, now)
            if upcoming is None or upcoming > now:
                return tick if upcoming is None else min(tick, max((upcoming - now).total_seconds(), 0.005))
        with self._lock:
            backlog = self._unrecorded >= MAX_UNRECORDED
        if backlog:  # the recorder is behind: storing what went out comes before sending more
            return tick
        with self._write_turn, self.rt.sessions() as session:
            channels = {cid: (limit, version) for cid, limit, version in session.connection().execute(
                _ENABLED_CHANNELS)}
            with self._lock:
                self._limits = {cid: limit for cid, (limit, _) in channels.items()}
                slots = {cid: limit + self._ahead(cid, limit) - self._inflight[cid]
                         for cid, (limit, _) in channels.items()}
            if self._last_stale_sweep is None or (now - self._last_stale_sweep).total_seconds() >= STALE_SWEEP_SECONDS:
                dispatch.mark_stale(session, now, policy)  # labels and alerts; claiming skips them anyway
                self._last_stale_sweep = now
            claims = dispatch.claim_due(session, self.id, now, {c: n for c, n in slots.items() if n > 0}, policy)
            # What the sends need is read in the same transaction: if it fails, nothing was claimed.
            sends = self._prepare(session, claims, {cid: version for cid, (_, version) in channels.items()})
            session.commit()  # the claim is durable before any network call
        if claims:
            self._hand_out(sends)
        # Something claimed: look again at once. Nothing claimed although due: it waits for a slot (a
        # finished send wakes us), a hold or a rate limit (the tick looks again).
        return 0.0 if claims else tick

    def _prepare(self, session: Any, claims: list[Claim],
                 versions: dict[int, datetime]) -> list[Send]:
        """Each claim with its adapter (or why there is none) and its content (None: the post is gone)."""
        if not claims:
            return []
        adapters = {cid: self._adapter(session, cid, versions.get(cid)) for cid in {c.channel_id for c in claims}}
        names = {cid: a.name for cid, a in adapters.items() if not isinstance(a, BaseException)}
        contents = load_contents(session, [(c.delivery_id, c.channel_id) for c in claims if c.channel_id in names],
                                 self.rt.settings.media_dir)
        return [(c, adapters[c.channel_id], contents.get(c.delivery_id)) for c in claims]

    def _ahead(self, channel_id: int, limit: int) -> int:
        """How many sends may be claimed beyond the channel's limit, to wait for a free sender.

        Only where the platform dedups by our key: if the worker dies, a claimed send that never left
        is reconciled by sending it again with the same key, which cannot post twice. Elsewhere each
        claim starts at once, so a crash leaves as few unknowns as possible."""
        cached = self._adapters.get(channel_id)
        return limit if cached is not None and cached[1].capabilities().idempotent else 0

    def _hand_out(self, sends: list[Send]) -> None:
        """Queue each claimed send on its channel and start as many as the channel's limit allows."""
        with self._lock:
            for claim, _, _ in sends:
                self._inflight[claim.channel_id] += 1
                self._unrecorded += 1
        for send in sends:
            claim, adapter, content = send
            if isinstance(adapter, BaseException):
                self._outcomes.put((claim, adapter, False))
            elif content is None:
                self._outcomes.put((claim, Rejected("the post is gone"), False))
            else:
                with self._lock:
                    self._waiting[claim.channel_id].append(send)
        for channel_id in {claim.channel_id for claim, _, _ in sends}:
            self._start_waiting(channel_id)

    def _start_waiting(self, channel_id: int) -> None:
        while (send := self._next_waiting(channel_id)) is not None:
            future = self._pool.submit(self._send_from, send)
            self._futures.add(future)
            future.add_done_callback(self._futures.discard)

    def _next_waiting(self, channel_id: int) -> Send | None:
        """The channel's next waiting send, counted as running, if the channel has a free sender."""
        with self._lock:
            waiting = self._waiting[channel_id]
            if not waiting or self._running[channel_id] >= self._limits.get(channel_id, 1):
                return None
            self._running[channel_id] += 1
            return waiting.popleft()

    def _send_from(self, send: Send) -> None:
        """Send, then carry on with the channel's next waiting send in this thread: no hand-off."""
        next_send: Send | None = send
        while next_send is not None:
            claim, adapter, content = next_send
            result: Any
            try:
                if not self.may_send():
                    raise Retryable("not sent: the worker had lost touch with the database")
                result = adapter.publish(content, key=claim.key)
            except Exception as exc:  # noqa: BLE001 - recorded as what the adapter said
                result = exc
            # A send that went through frees its claim slot now; any other outcome keeps it until it
            # is recorded, so that a rate limit or a paused channel is in the database before the next claim.
            freed = isinstance(result, Published)
            with self._lock:
                self._running[claim.channel_id] -= 1
            if freed:
                self._free_slots([claim])
            self._outcomes.put((claim, result, freed))
            late = self._stop_deadline is not None and time.monotonic() > self._stop_deadline
            next_send = None if late else self._next_waiting(claim.channel_id)

    def _free_slots(self, claims: list[Claim]) -> None:
        with self._lock:
            for claim in claims:
                self._inflight[claim.channel_id] -= 1
        self.wake()

    def _adapter(self, session: Any, channel_id: int, version: datetime | None) -> Adapter | BaseException:
        """One adapter per channel version: it keeps its HTTP connections alive between sends."""
        cached = self._adapters.get(channel_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        channel = session.get(Channel, channel_id)
        try:
            adapter = build_adapter(channel, self.rt.box, http=self.http)
        except (ChannelConfigError, CredentialKeyError) as exc:
            return Rejected(f"the channel is misconfigured: {exc}")
        self._adapters[channel_id] = (channel.updated_at, adapter)
        return adapter

    def _record_loop(self) -> None:
        """Store finished sends, many per transaction, then free their channels' slots."""
        while True:
            try:
                batch = [self._outcomes.get(timeout=0.2)]
            except queue.Empty:
                if self._stopping.is_set() and self._idle_recorder():
                    return
                continue
            gather_until = time.monotonic() + RECORD_GATHER_SECONDS
            while len(batch) < RECORD_BATCH:
                try:
                    batch.append(self._outcomes.get(timeout=max(gather_until - time.monotonic(), 0)))
                except queue.Empty:
                    break
            self._record([(claim, result) for claim, result, _ in batch])
            with self._lock:
                self._unrecorded -= len(batch)
            self._free_slots([claim for claim, _, freed in batch if not freed])

    def _idle_recorder(self) -> bool:
        with self._lock:
            return self._unrecorded == 0 or not any(f for f in self._futures if not f.done())

    def _record(self, batch: list[tuple[Claim, Any]]) -> None:
        """Store outcomes, waiting out a database outage: a send must not be forgotten."""
        delay = 0.2
        deadline: float | None = None
        while True:
            try:
                with self._write_turn, self.rt.sessions() as session:
                    dispatch.record_outcomes(session, batch, self.id, self.rt.clock(), self.options.policy)
                    session.commit()
                return
            except DB_ERRORS as exc:
                if self._stopping.is_set():
                    deadline = deadline or time.monotonic() + self.options.stop_grace_seconds
                    if time.monotonic() > deadline:
                        log.error("gave up recording deliveries %s: their leases will expire and reconciliation "
                                  "will decide", [c.delivery_id for c, _ in batch])
                        return
                log.warning("recording %d outcome(s) failed (%s); retrying", len(batch), type(exc).__name__)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
            except Exception:
                if len(batch) > 1:  # one bad outcome must not take the others down with it
                    for item in batch:
                        self._record([item])
                    return
                log.exception("recording delivery %s failed; its lease will expire and reconciliation will "
                              "decide", batch[0][0].delivery_id)
                return

    # -- periodic jobs ----------------------------------------------------------------------------

    def heartbeat(self, started: bool = False) -> None:
        """Say we are alive; or learn that we were declared dead, and start again under a new id.

        The row is locked (PostgreSQL) as dispatch.reap_dead_workers locks it: either this beat lands
        first and we are not silent, or the reaper's verdict does and this beat sees it."""
        now, beat_at = self.rt.clock(), time.monotonic()  # the stored time and ours agree, however late the commit
        with self._write_turn, self.rt.sessions() as session:
            row = session.scalar(select(WorkerBeat).where(WorkerBeat.id == self.id).with_for_update())
            dead = row is not None and row.declared_dead_at is not None
            if row is None:
                session.add(WorkerBeat(id=self.id, host=socket.gethostname(), pid=os.getpid(), started_at=now,
                                       heartbeat_at=now))
            elif not dead:
                row.heartbeat_at = now
            session.commit()
        if dead:
            self._reincarnate()
            self.heartbeat(started=True)
            return
        self._beat_at = beat_at

    def reap_and_reconcile(self) -> None:
        now = self.rt.clock()
        # Its turn at SQLite's write lock like the dispatch loop's: on SQLite's busy handler alone a busy
        # loop kept the reaper waiting for seconds.
        with self._write_turn, self.rt.sessions() as session:
            reaped = dispatch.reap_dead_workers(session, now, self.options.dead_worker_grace)
            reaped += dispatch.reap_expired_leases(session, now)
            session.commit()
        if reaped:
            log.warning("deliveries %s lost their worker mid-send; reconciling", reaped)
        decided = reconcile_unknown(self.rt, now, http=self.http)
        if decided:
            log.info("reconciled: %s", decided)
            self.wake()

    def watchdog(self) -> None:
        now = self.rt.clock()
        with self.rt.sessions() as session:
            overdue_before = now - self.options.overdue_alert
            held = {h.channel_id for h in session.scalars(select(Hold).where(Hold.released_at.is_(None)))}
            if None not in held:
                rows = session.execute(
                    select(Delivery.id, Delivery.post_id, Delivery.channel_id, Delivery.due_at)
                    .where(Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.RETRY_WAIT]),
                           Delivery.due_at < overdue_before).limit(100)).all()
                for delivery_id, post_id, channel_id, due_at in rows:
                    if channel_id in held:
                        continue
                    alerts.raise_alert(session, f"overdue:{delivery_id}", "overdue",
                                       f"A delivery due {due_at:%Y-%m-%d %H:%M} UTC has still not gone out.",
                                       post_id=post_id, delivery_id=delivery_id, channel_id=channel_id)
            silent = session.scalars(select(WorkerBeat).where(
                WorkerBeat.id != self.id, WorkerBeat.stopped_at.is_(None),
                WorkerBeat.heartbeat_at < now - self.options.silent_worker))
            for beat in silent:
                alerts.raise_alert(session, f"worker-silent:{beat.id}", "worker_silent",
                                   f"Worker {beat.id} stopped sending heartbeats at "
                                   f"{beat.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC without shutting down.")
                beat.stopped_at = beat.heartbeat_at  # alert once; its leases expire and are reconciled
            session.commit()

    def housekeeping(self) -> None:
        """Old browser sessions, sign-in failures and request counters go, and import uploads nobody confirmed
        or cancelled within the hour; nothing else is ever deleted."""
        with self.rt.sessions() as session:
            removed = (*signin.prune(session, self.rt.clock(),
                                     idle=timedelta(minutes=self.rt.settings.session_idle_minutes)),
                       request_limits.prune(session, self.rt.clock()) + form_guard.prune(session, self.rt.clock()))
            session.commit()
        staging.sweep(staging.folder(self.rt.settings.instance_dir))
        if any(removed):
            log.info("housekeeping removed %d old browser session(s), %d old sign-in failure(s) and %d old "
                     "request counter(s) (API and public forms)", *removed)

    def audit_check(self) -> None:
        """Seal new audit rows, then verify the chain from the head verified last time (the whole chain once
        per `audit_full_check`); a break raises an alert that names the row and the last intact head. While
        sends are in flight it waits (up to `audit_max_lag`): hashing shares this process with dispatch."""
        now = self.rt.clock()
        with self._lock:
            dispatching = self._unrecorded > 0
        if dispatching and self._audit_checked_at is not None \
                and now - self._audit_checked_at < self.options.audit_max_lag:
            return
        while True:  # a batch per transaction: a long backlog never holds SQLite's write lock for long
            with self._write_turn, self.rt.sessions() as session:
                sealed = audit_chain.seal(session, now, max_rows=audit_chain.SEAL_BATCH)
                session.commit()
            if sealed < audit_chain.SEAL_BATCH:
                break
        full = self._audit_full_at is None or now - self._audit_full_at >= self.options.audit_full_check
        with self.rt.read_sessions() as session:
            report = audit_verify.verify(session, start=None if full else self._audit_verified)
        self._audit_checked_at = now
        if report.ok:
            self._audit_verified = report.head or self._audit_verified
            self._audit_full_at = now if full else self._audit_full_at
            return
        problem = report.problem
        log.error("%s", report.summary())
        with self.rt.sessions() as session:
            alerts.raise_alert(session, f"audit-chain:{problem.event_id}:{problem.kind}", "audit_chain",
                               f"The audit log's chain is broken at row {problem.event_id}: {problem.message}. "
                               f"Last intact head: {report.head or self._audit_verified or 'none'}.")
            session.commit()

    def check_credentials(self) -> None:
        """Ask each enabled channel's platform whether its credentials work, every `credentials.every`; one
        channel at a time, with no transaction open while the platform answers (a short timeout each)."""
        checked = credential_checks.check_due(self.rt.sessions, lambda c: channel_admin.probe(c, self.rt.box),
                                              self.rt.now, self.options.credentials)
        if checked:
            log.info("credential checks: %s", checked)

    def mail_alerts(self) -> None:
        with self.rt.sessions() as session:
            alerts.queue_pending(session)
            session.commit()

    def mail_notifications(self) -> None:
        if self.options.notification_words is None:
            return
        with self.rt.sessions() as session:
            mailing.queue_due(session, self.options.notification_words)
            session.commit()

    def mail_outbox(self) -> None:
        """Send what the outbox holds (publisher.outbox.sending): claims first, one SMTP transaction each."""
        with self.rt.sessions() as session:
            outbox.send_due(session, self.options.mail, self.options.outbox)

    def remind_approvers(self) -> None:
        with self.rt.sessions() as session:
            reminders.remind(session, self.rt.clock(), self.options.approval_reminder)
            session.commit()

    def weekly_plan(self) -> None:
        """Prepare next week's plan once it is due (and send it, when the office chose so): once a week."""
        if self.options.weekly_plan is None:
            return
        with self.rt.sessions() as session:
            plan_schedule.run_due(session, self.rt.clock(), PlanConfig.of(self.rt.settings), self.options.weekly_plan)
            session.commit()

    def read_mailbox(self) -> None:
        """Bounce reports that arrived in the office's mailbox since the last run (publisher.mailbox.reading):
        the addresses they name are marked. A server that cannot be read is logged and tried next round."""
        if self.options.mailbox is None:
            return
        try:
            outcome = mailbox_reading.read_once(self.rt.sessions, self.options.mailbox, self.rt.clock)
        except mailbox_reading.MailboxError as exc:
            log.warning("mailbox: %s; next round", exc)
            return
        if outcome.kinds:
            log.info("mailbox: %s", outcome)
        if outcome.bounces:
            with self.rt.sessions() as session:  # what was sent and came back is not shown as sent
                outbox_bounced.settle(session)
                session.commit()

    # -- for tests and benchmarks -----------------------------------------------------------------

    def run_until_idle(self, timeout: float = 30.0) -> None:
        """Dispatch passes without the loop thread until nothing is in flight and nothing is due now."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            claimed = self.dispatch_pass() == 0.0
            # Sends in flight during the pass may have kept due deliveries from being claimed (their
            # channel's slots were full): once they are recorded, only another pass can tell.
            busy = self._unrecorded > 0
            while self._unrecorded and time.monotonic() < deadline:
                time.sleep(0.005)
            if not claimed and not busy:
                return
        raise TimeoutError(f"deliveries still in flight or due after {timeout} s")

    def close(self) -> None:
        self._stopping.set()
        self._pool.shutdown(wait=True)
        self._recorder.join(timeout=10)
        self.http.close()


def _guarded(job: Any) -> Any:
    def run() -> None:
        try:
            job()
        except DB_ERRORS as exc:
            log.warning("%s: database unavailable (%s); next round", job.__name__, type(exc).__name__)
        except Exception:
            log.exception("%s failed", job.__name__)

    run.__name__ = job.__name__
    return run
