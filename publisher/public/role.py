"""`publisher public-role create NAME`: a PostgreSQL role for the public site that can read what
publisher/public/reads.py lists, column by column, write the public form tables, and nothing else.

Run again after an upgrade (new public pages add to reads.py): the role's table and column rights are revoked
and granted afresh, so it never keeps a right the list no longer gives.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, text

from publisher.core.errors import Malformed
from publisher.public.reads import PUBLIC_FORM_WRITES, PUBLIC_FROM_ROWS, PUBLIC_READS

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def create_public_role(engine: Engine, name: str, password: str | None = None) -> bool:
    """Create the role, or bring an existing one back to exactly the public rights; True when created."""
    if engine.dialect.name != "postgresql":
        raise Malformed("a public database role exists only on PostgreSQL; on SQLite the public app opens "
                        "the file read-only instead (see docs/operations.md)")
    if not ROLE_NAME.fullmatch(name):
        raise Malformed(f"{name!r} is not a role name this command accepts: lower-case letters, digits and _, "
                        "at most 63, not starting with a digit")
    role = engine.dialect.identifier_preparer.quote(name)
    with engine.begin() as conn:
        created = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}) is None
        verb = "CREATE" if created else "ALTER"
        login = f"{verb} ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
        if password is not None:
            login += " PASSWORD " + _literal(password)
        conn.execute(text(login))
        _revoke_everything(conn, name, role)
        conn.execute(text(f"GRANT USAGE ON SCHEMA {_schema(conn)} TO {role}"))
        for table, columns in PUBLIC_READS.items():
            listed = ", ".join(engine.dialect.identifier_preparer.quote(c) for c in columns)
            conn.execute(text(f"GRANT SELECT ({listed}) ON {_table(conn, table)} TO {role}"))
        for table, rights in PUBLIC_FORM_WRITES.items():
            conn.execute(text(f"GRANT {', '.join(rights)} ON {_table(conn, table)} TO {role}"))
        for table in PUBLIC_FROM_ROWS:
            _only_public_rows(conn, table, name)
    return created


def _only_public_rows(conn: Connection, table: str, name: str) -> None:
    """Row-level security: the public role sees a row only once its public_from has passed, even if a public
    page's query forgot to ask. The app's own role (the one running this command, normally the tables' owner,
    which PostgreSQL exempts anyway) keeps every row through a policy of its own, in case it is not the owner."""
    quote = conn.dialect.identifier_preparer.quote
    target = _table(conn, table)
    app_role = conn.scalar(text("SELECT current_user"))
    conn.execute(text(f"ALTER TABLE {target} ENABLE ROW LEVEL SECURITY"))
    for policy, clause in (
        (f"{table}_app", f"FOR ALL TO {quote(app_role)} USING (true) WITH CHECK (true)"),
        (f"{table}_public_{name}"[:63],
         f"FOR SELECT TO {quote(name)} USING (public_from IS NULL OR public_from <= now())"),
    ):
        conn.execute(text(f"DROP POLICY IF EXISTS {quote(policy)} ON {target}"))
        conn.execute(text(f"CREATE POLICY {quote(policy)} ON {target} {clause}"))


def _revoke_everything(conn: Connection, name: str, role: str) -> None:
    schema = _schema(conn)
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}"))
    conn.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}"))
    conn.execute(text(f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM {role}"))
    # A table's REVOKE ALL leaves column rights in place: those are revoked one table at a time.
    granted = conn.execute(text(
        "SELECT table_name, column_name, privilege_type FROM information_schema.column_privileges "
        "WHERE grantee = :name AND table_schema = current_schema()"), {"name": name}).all()
    quote = conn.dialect.identifier_preparer.quote
    for table, column, privilege in granted:
        conn.execute(text(f"REVOKE {privilege} ({quote(column)}) ON {_table(conn, table)} FROM {role}"))


def _schema(conn: Connection) -> str:
    return conn.dialect.identifier_preparer.quote(conn.scalar(text("SELECT current_schema()")))


def _table(conn: Connection, table: str) -> str:
    return f"{_schema(conn)}.{conn.dialect.identifier_preparer.quote(table)}"


def _literal(value: str) -> str:
    """A string literal for DDL, which takes no bind parameters (standard_conforming_strings is on)."""
    if "\x00" in value:
        raise Malformed("a password cannot contain a NUL character")
    return "'" + value.replace("'", "''") + "'"
