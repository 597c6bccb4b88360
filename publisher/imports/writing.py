"""Writing an import: every row or none.

The rows are checked again against the database inside the transaction that writes them (someone may have
added a person since the preview); one problem refuses them all. The rows are written in a savepoint, so a
row refused while writing undoes the rows before it even when the caller goes on with its session; the
caller commits. One audit row, import.<kind>, counts what was written and names the file by its SHA-256.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core.actor import Actor
from publisher.core.errors import Invalid, PublisherError
from publisher.imports.checking import Checked, Problem, check
from publisher.imports.fields import Kind
from publisher.imports.table import Table

WriteRow = Callable[[Session, Actor, dict[str, Any]], Any]


class Refused(Invalid):
    """Nothing was written: `problems` holds every one of them."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing was written", code="import_refused",
                         details={"problems": [p.__dict__ for p in problems]})
        self.problems = problems


def write_all(session: Session, actor: Actor, kind: Kind, table: Table, write_row: WriteRow, *,
              sha256: str) -> Checked:
    """Check `table` again and write each row with `write_row`, or raise Refused having written nothing."""
    checked = check(table, kind, session)
    if not checked.ok:
        raise Refused(checked.problems)
    savepoint = session.begin_nested()
    try:
        for number, values in checked.rows:
            try:
                write_row(session, actor, values)
            except PublisherError as exc:  # a rule the check does not know: this row, this message
                raise Refused((Problem(number, "", "", "refused", {"reason": exc.message}),)) from exc
        session.flush()
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    trail.record(session, actor, f"import.{kind.name}", subject=f"import:{sha256[:16]}",
                 detail={"rows": len(checked.rows), "sha256": sha256, "columns": sorted(checked.columns.positions)})
    return checked
