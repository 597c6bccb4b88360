"""`publisher` on the command line: schema, people, tokens, channels, and the processes."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import getpass
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from publisher.core import heap, permissions, schema
from publisher.core.actor import Actor
from publisher.core.config import ConfigError, InstancePaths, Settings
from publisher.core.credential_check import require_readable_credentials
from publisher.core.errors import CredentialKeyError, PublisherError
from publisher.core.runtime import Runtime
from publisher.destinations import channel_store
from publisher.media.leftovers import leftovers
from publisher.people import accounts


def _actor() -> Actor:
    return Actor.system(f"cli:{getpass.getuser()}")


def _runtime(*, credentials: bool = False) -> Runtime:
    """The runtime from the environment. With `credentials` (the processes and the commands that use channel
    credentials) it refuses a key that cannot decrypt the stored credentials; so does every command when the
    key was generated just now, so that a new key never stays beside credentials it cannot read."""
    rt = Runtime.from_settings(Settings.from_env())
    if credentials or rt.settings.credentials_key_created:
        require_readable_credentials(rt)
    return rt


def _require_schema(rt: Runtime) -> None:
    if schema.current_revision(rt.engine) != schema.head_revision():
        raise SystemExit("error: the database schema is missing or old; run `publisher init` first")


def cmd_init(args: argparse.Namespace) -> int:
    rt = _runtime()
    before = schema.current_revision(rt.engine)
    schema.upgrade(rt.engine)
    after = schema.current_revision(rt.engine)
    url = rt.engine.url.render_as_string(hide_password=True)
    print(f"schema {'already at' if before == after else 'upgraded to'} {after} ({url})")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    rt = _runtime()
    _require_schema(rt)
    with rt.sessions() as session:
        user = accounts.add_user(session, args.name, args.role, actor=_actor(), password=password,
                                 email=args.email)
        session.commit()
        print(user.id)
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    rt = _runtime()
    with rt.sessions() as session:
        for user in accounts.list_users(session):
            print(f"{user.id}\t{user.name}\t{','.join(sorted(user.roles))}\t{'active' if user.active else 'inactive'}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    rt = _runtime()
    _require_schema(rt)
    with rt.sessions() as session:
        user = accounts.get_user(session, args.name)
        _, plain = accounts.create_token(session, user, actor=_actor(), name=args.label)
        session.commit()
    print(plain)
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    rt = _runtime()
    with rt.sessions() as session:
        accounts.revoke_token(session, args.id, actor=_actor())
        session.commit()
    print(f"token {args.id} revoked")
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    rt = _runtime()
    with rt.sessions() as session:
        for t in accounts.list_tokens(session):
            state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
            print(f"{t.id}\t{t.user.name}\t{t.prefix}…\t{t.name}\t{state}")
    return 0


def cmd_channel_add(args: argparse.Namespace) -> int:
    try:
        settings = json.loads(args.config)
    except json.JSONDecodeError as exc:
        raise PublisherError(f"--config is not valid JSON: {exc}") from None
    rt = _runtime(credentials=True)
    _require_schema(rt)
    with rt.sessions() as session:
        channel = channel_store.add_channel(session, rt.box, args.kind, args.name, settings, actor=_actor(),
                                            max_concurrency=args.concurrency)
        session.commit()
        print(channel.id)
    return 0


def cmd_channel_list(args: argparse.Namespace) -> int:
    rt = _runtime()
    with rt.sessions() as session:
        for c in channel_store.list_channels(session):
            print(f"{c.id}\t{c.name}\t{c.kind}\t{'enabled' if c.enabled else 'disabled'}")
    return 0


def cmd_channel_kinds(args: argparse.Namespace) -> int:
    from channels import registry

    for kind, cls in registry.kinds().items():
        fields = ", ".join(f"{f.name}{'' if f.required else '?'}{' (secret)' if f.secret else ''}"
                           for f in cls.config_fields)
        print(f"{kind}\t{cls.label}\t{fields}")
    return 0


def cmd_keys_generate(args: argparse.Namespace) -> int:
    print(Fernet.generate_key().decode())
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    rt = _runtime(credentials=True)
    with rt.sessions() as session:
        count = channel_store.rotate_credentials(session, rt.box, actor=_actor())
        session.commit()
    print(f"re-encrypted the credentials of {count} channel(s) with the first key")
    return 0


def cmd_media_check(args: argparse.Namespace) -> int:
    """Exit 1 when a library file still carries location/device metadata or is missing (read-only)."""
    rt = _runtime()
    _require_schema(rt)
    found = 0
    with rt.read_sessions() as session:
        for item in leftovers(session, rt.settings.media_dir):
            found += 1
            print(f"media {item.media.id}\t{item.problem}\t{item.media.original_name}")
    print(f"{found} library file(s) need attention" if found else "every library file is clean")
    return 1 if found else 0


def cmd_documents_clean(args: argparse.Namespace) -> int:
    """Remove document files that no version names (left by a process that died mid-upload); --dry-run lists."""
    from publisher.documents import store as document_store  # noqa: PLC0415 (only this command needs it)

    rt = _runtime()
    _require_schema(rt)
    root = document_store.documents_dir(rt.settings.media_dir)
    with rt.read_sessions() as session:
        found = list(document_store.orphans(session, root)) if args.dry_run else \
            document_store.remove_orphans(session, root)
    for path in found:
        print(path.relative_to(root))
    verb = "would remove" if args.dry_run else "removed"
    print(f"{verb} {len(found)} document file(s) that no version names")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    if args.public:
        return _serve_public(args.host, args.port)
    rt = _runtime(credentials=True)
    _require_schema(rt)
    _serve(rt, args.host, args.port)
    return 0


def _serve_public(host: str, port: int) -> int:
    """The public site alone, connected as publisher/public/database.py says; it needs no credentials key
    that opens anything (the role cannot read the channels' credentials)."""
    from waitress import create_server

    from publisher.public.database import public_runtime
    from web.public_app import create_public_app

    settings = Settings.from_env()
    rt = public_runtime(settings)
    _require_schema(rt)
    server = create_server(create_public_app({"RUNTIME": rt}), host=host, port=port, **server_options(settings))
    heap.settle_after_start()
    _stop_on_signals()
    print(f"publisher's public site is serving on {_public_url(host, server.effective_port)}/", flush=True)
    server.run()
    return 0


def cmd_public_role(args: argparse.Namespace) -> int:
    from publisher.public.role import create_public_role

    rt = _runtime()
    _require_schema(rt)
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    created = create_public_role(rt.engine, args.name, password)
    print(f"role {args.name} {'created' if created else 'updated'}: it reads only what the public pages read "
          f"and writes only the public form tables")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from publisher import demo
    from publisher.publishing.worker import Worker, options_from

    _configure_logging()
    rt = Runtime.from_settings(run_settings(args.demo))
    schema.upgrade(rt.engine)
    require_readable_credentials(rt)
    logins = demo.seed(rt, public_url=_public_url(args.host, args.port)) if args.demo else ""
    worker = Worker(rt, _worker_options(rt.settings, options_from))
    worker.start()
    print(f"worker {worker.id} is dispatching", flush=True)

    def after_start() -> None:
        # Last, so that the logins are what a person sees when the start-up lines stop.
        if logins:
            path = demo.save_logins(rt, logins)
            print(logins + f"(also in {path})", flush=True)

    try:
        _serve(rt, args.host, args.port, after_start)
    finally:
        worker.stop()
    return 0


def _public_url(host: str, port: int) -> str:
    shown = "localhost" if host in ("0.0.0.0", "::", "") else (f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}"


def run_settings(demo: bool, env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    settings = Settings.from_env(env)
    if demo and not env.get("PUBLISHER_COOKIE_SECURE"):
        # The demo is plain http on loopback, where a browser drops a Secure cookie: no one could sign in.
        settings = dataclasses.replace(settings, cookie_secure=False)
    return settings


def _worker_options(settings: Settings, options_from: Callable) -> Any:
    """The worker's options with the words of notification mails and the weekly plan's document and mail, which
    live with the dashboard's catalogs and templates."""
    from web.activities.weekly_plan_words import PRINTING
    from web.notification_words import mail_words

    return dataclasses.replace(options_from(settings),
                               notification_words=functools.partial(mail_words, base_url=settings.public_url),
                               weekly_plan=PRINTING)


def cmd_worker(args: argparse.Namespace) -> int:
    from publisher.publishing.worker import Worker, options_from

    _configure_logging()
    rt = _runtime(credentials=True)
    _require_schema(rt)
    worker = Worker(rt, _worker_options(rt.settings, options_from))
    print(f"worker {worker.id} is dispatching (stop with Ctrl-C or SIGTERM)", flush=True)
    worker.run_forever()
    return 0


def cmd_hold(args: argparse.Namespace) -> int:
    from publisher.publishing import holds

    rt = _runtime()
    _require_schema(rt)
    with rt.sessions() as session:
        channel = channel_store.get_channel(session, args.channel) if args.channel else None
        where = f"channel {channel.name!r}" if channel else "all publishing"
        if args.state == "on":
            holds.hold(session, _actor(), args.reason or "", channel)
            print(f"{where} is on hold: nothing goes out until `publisher hold off`")
        else:
            holds.release(session, _actor(), channel)
            print(f"{where} released; deliveries older than the staleness window wait for a person")
        session.commit()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from publisher.audit import chain
    from publisher.backup.take import take_backup

    rt = _runtime()
    if schema.current_revision(rt.engine) == schema.head_revision():  # seal what is written: the manifest carries the chain head
        with rt.sessions() as session:
            chain.seal(session, rt.clock())
            session.commit()
    rt.dispose()
    manifest = take_backup(rt.settings, args.dir, with_keys=not args.no_keys)
    counts = manifest.counts
    print(f"backup of the {manifest.database_kind} database (schema {manifest.schema_revision}) in {args.dir}: "
          f"{counts.get('posts', 0)} posts, {counts.get('deliveries', 0)} deliveries, "
          f"{counts.get('media', 0)} media, {counts.get('audit_events', 0)} audit rows; "
          f"{len(manifest.files)} files with checksums in manifest.json")
    if not manifest.keys:
        print("the credentials key is not in this backup: keep PUBLISHER_CREDENTIALS_KEY (or the key file) "
              "safe separately; without it no channel credential can be read")
    for name in manifest.missing_media:
        print(f"warning: media file {name} is missing from the media folder or does not match its name; "
              "it is not in the backup", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from publisher.backup.restore import restore_backup

    env = dict(os.environ)
    # The options stand for the variables; the defaults follow from them as at start (media under the
    # instance folder unless PUBLISHER_MEDIA_DIR says otherwise). Nothing is created before the checks.
    for option, name in ((args.instance_dir, "PUBLISHER_INSTANCE_DIR"), (args.database_url, "PUBLISHER_DATABASE_URL"),
                         (args.media_dir, "PUBLISHER_MEDIA_DIR")):
        if option:
            env[name] = str(option)
    paths = InstancePaths.from_env(env)
    bin_dir = env.get("PUBLISHER_PG_BIN_DIR")
    manifest = restore_backup(args.dir, paths, force=args.force, pg_bin_dir=Path(bin_dir) if bin_dir else None)
    counts = manifest.counts
    print(f"restored {counts.get('posts', 0)} posts, {counts.get('deliveries', 0)} deliveries, "
          f"{counts.get('media', 0)} media and {counts.get('audit_events', 0)} audit rows into "
          f"{make_url(paths.database_url).render_as_string(hide_password=True)} (media in {paths.media_dir}); "
          "every count matches the backup's manifest")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from publisher.audit import chain, verify

    try:
        expect = chain.Head.parse(args.expect) if args.expect else None
    except ValueError as exc:
        raise PublisherError(f"--expect: {exc}") from None
    rt = _runtime()
    _require_schema(rt)
    if not args.no_seal:
        with rt.sessions() as session:
            chain.seal(session, rt.clock())
            session.commit()
    with rt.read_sessions() as session:
        report = verify.verify(session, expect=expect)
    print(report.summary(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def cmd_audit_head(args: argparse.Namespace) -> int:
    from publisher.audit import chain

    rt = _runtime()
    _require_schema(rt)
    with rt.sessions() as session:
        chain.seal(session, rt.clock())
        session.commit()
        found = chain.head(session)
    print(found if found else "nothing sealed yet")
    return 0


class _RoutineToDebug(logging.Filter):
    """APScheduler says "Running job …" and "… executed successfully" at INFO for every job run (about
    170,000 lines a day with a tick a second), and a line per job added at start. They are routine, so they
    count as DEBUG; its warnings and errors stay as they are."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


def _configure_logging() -> None:
    level = os.environ.get("PUBLISHER_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=getattr(logging, level, logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The worker says itself that it started; the scheduler's own lines (each job added, started, each run)
    # are routine.
    for name in ("apscheduler.executors.default", "apscheduler.scheduler"):
        routine = logging.getLogger(name)
        if not any(isinstance(f, _RoutineToDebug) for f in routine.filters):
            routine.addFilter(_RoutineToDebug())


BODY_OVERHEAD = 1024 * 1024  # multipart boundaries and the form's other fields around the largest upload


def server_options(settings: Settings) -> dict[str, Any]:
    """waitress's settings from ours: the one place that trusts a reverse proxy.

    With PUBLISHER_TRUSTED_PROXY set, waitress takes the client's address from the last
    PUBLISHER_TRUSTED_PROXY_COUNT entries of X-Forwarded-For (and the scheme and host from the other trusted
    headers) when, and only when, the request comes from that proxy; it removes those headers otherwise. So
    REMOTE_ADDR is the client for everything that reads it: lock-outs, rate limits, audit rows. There is no
    second mechanism (no ProxyFix) in the app. A body larger than the largest upload is refused by waitress
    before it is read.
    """
    options: dict[str, Any] = {"threads": 8, "ident": "publisher",
                               "max_request_body_size": settings.max_upload_bytes + BODY_OVERHEAD}
    if settings.trusted_proxy:
        options.update(trusted_proxy=settings.trusted_proxy, trusted_proxy_count=settings.trusted_proxy_count,
                       trusted_proxy_headers=" ".join(settings.trusted_proxy_headers),
                       clear_untrusted_proxy_headers=True)
    return options


def _stop_on_signals() -> None:
    """Ctrl-C and a service manager's SIGTERM end the server the same way: waitress stops on KeyboardInterrupt,
    then the caller's `finally` stops the worker. Set here, not left to Python: a process started where SIGINT
    is ignored (in the background of a script, under some supervisors) inherits that, and SIGTERM's default
    ends the process at once, without the worker marking itself stopped."""

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, interrupt)


def _serve(rt: Runtime, host: str, port: int, after_start: Callable[[], None] | None = None) -> None:
    from waitress import create_server

    from web import create_app

    app = create_app({"RUNTIME": rt})
    server = create_server(app, host=host, port=port, **server_options(rt.settings))
    heap.settle_after_start()
    _stop_on_signals()
    url = _public_url(host, server.effective_port)
    print(f"publisher is serving on {url}/  (API: {url}/api/v1/openapi.json)", flush=True)
    if after_start is not None:
        after_start()
    server.run()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="publisher", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("init", help="create or upgrade the schema; safe to repeat").set_defaults(func=cmd_init)

    user = sub.add_parser("user", help="people").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="add a user")
    add.add_argument("name")
    add.add_argument("--role", action="append", required=True, choices=permissions.ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    add.add_argument("--email")
    add.set_defaults(func=cmd_user_add)
    user.add_parser("list").set_defaults(func=cmd_user_list)

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    create = token.add_parser("create", help="print a new token for user NAME")
    create.add_argument("name")
    create.add_argument("--label", default="", help="what the token is for")
    create.set_defaults(func=cmd_token_create)
    revoke = token.add_parser("revoke")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=cmd_token_revoke)
    token.add_parser("list").set_defaults(func=cmd_token_list)

    channel = sub.add_parser("channel", help="destinations").add_subparsers(dest="channel_command", required=True)
    cadd = channel.add_parser("add", help="add a channel; prints its id")
    cadd.add_argument("kind")
    cadd.add_argument("name")
    cadd.add_argument("--config", required=True, help="settings as a JSON object")
    cadd.add_argument("--concurrency", type=int, default=4, help="sends at once on this channel (default 4)")
    cadd.set_defaults(func=cmd_channel_add)
    channel.add_parser("list").set_defaults(func=cmd_channel_list)
    channel.add_parser("kinds", help="the kinds and their settings").set_defaults(func=cmd_channel_kinds)

    keys = sub.add_parser("keys", help="credential encryption keys").add_subparsers(dest="keys_command",
                                                                                   required=True)
    keys.add_parser("generate", help="print a new key").set_defaults(func=cmd_keys_generate)
    keys.add_parser("rotate", help="re-encrypt all credentials with the first configured key").set_defaults(
        func=cmd_keys_rotate)

    media = sub.add_parser("media", help="the media library").add_subparsers(dest="media_command", required=True)
    media.add_parser("check", help="list files that still carry location or device metadata, or are missing"
                     ).set_defaults(func=cmd_media_check)

    documents = sub.add_parser("documents", help="the documents store").add_subparsers(dest="documents_command",
                                                                                        required=True)
    clean = documents.add_parser("clean", help="remove files that no document version names")
    clean.add_argument("--dry-run", action="store_true", help="only list them")
    clean.set_defaults(func=cmd_documents_clean)

    for name, func, text in (("serve", cmd_serve, "web and API (no dispatcher inside)"),
                             ("run", cmd_run, "web and one worker in one process: the embedded default")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8080)
        if name == "run":
            p.add_argument("--demo", action="store_true",
                           help="create demo users and a local channel; session cookies work over plain http")
        else:
            p.add_argument("--public", action="store_true",
                           help="the public site alone (no sign-in, dashboard or API); with "
                                "PUBLISHER_PUBLIC_DATABASE_URL it connects as that (read-only) role")
        p.set_defaults(func=func)
    role = sub.add_parser("public-role", help="the public site's PostgreSQL role").add_subparsers(
        dest="public_role_command", required=True)
    rcreate = role.add_parser("create", help="create or update role NAME: LOGIN, SELECT on what the public pages "
                                             "read, writes only to the public form tables")
    rcreate.add_argument("name")
    rcreate.add_argument("--password-stdin", action="store_true", help="set its password from one line of stdin")
    rcreate.set_defaults(func=cmd_public_role)
    sub.add_parser("worker", help="the dispatcher").set_defaults(func=cmd_worker)
    hold = sub.add_parser("hold", help="stop (on) or resume (off) publishing, everywhere or on one channel")
    hold.add_argument("state", choices=("on", "off"))
    hold.add_argument("--channel", help="channel name or id; without it, all publishing")
    hold.add_argument("--reason", help="why (required for on); shown to everyone while it lasts")
    hold.set_defaults(func=cmd_hold)

    backup = sub.add_parser("backup", help="copy the database, media and keys into a new folder, with a manifest")
    backup.add_argument("dir", type=Path, help="a new or empty folder")
    backup.add_argument("--no-keys", action="store_true",
                        help="leave the key files out (keep them safe separately)")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="check a backup's checksums, then restore it into an empty instance")
    restore.add_argument("dir", type=Path, help="a folder written by `publisher backup`")
    restore.add_argument("--database-url", help="restore into this database (default: PUBLISHER_DATABASE_URL)")
    restore.add_argument("--media-dir", type=Path, help="put the media here (default: PUBLISHER_MEDIA_DIR)")
    restore.add_argument("--instance-dir", type=Path, help="put the key files here (default: PUBLISHER_INSTANCE_DIR)")
    restore.add_argument("--force", action="store_true",
                         help="replace a database that is not empty and key files that differ")
    restore.set_defaults(func=cmd_restore)
    audit = sub.add_parser("audit", help="the audit log's chain").add_subparsers(dest="audit_command",
                                                                              required=True)
    check = audit.add_parser("verify", help="seal new rows, then check the whole chain; exit 1 naming the first "
                                            "row changed, removed or inserted out of order")
    check.add_argument("--expect", metavar="ID:HASH",
                       help="a head recorded earlier (backup manifest, alert): fail if the chain no longer has it")
    check.add_argument("--no-seal", action="store_true", help="only read: leave new rows unsealed")
    check.set_defaults(func=cmd_audit_verify)
    audit.add_parser("head", help="seal new rows and print the head (ID:HASH) to record elsewhere").set_defaults(
        func=cmd_audit_head)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PublisherError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except (CredentialKeyError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
