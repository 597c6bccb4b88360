"""The history pages' data: a mix of posts whose deliveries went out, failed or wait for a person."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from tests.factories.office import Office
from tests.factories.publishing import BASE, D, Made, post_with_deliveries

EVIL = "<script>alert(1)</script>"


def history_mix(session: Session, office: Office) -> Made:
    """A browser page's data: one post sent on the portal and unknown on the archive, one failed, one stale."""
    post_with_deliveries(session, office, "Ministar posetio Niš", {"portal": D.SENT, "archive": D.SENT},
              at=BASE - timedelta(days=1))
    post_with_deliveries(session, office, "Конкурс за стипендије", {"portal": D.FAILED, "archive": D.STALE},
              at=BASE - timedelta(hours=5), error="400 Bad Request: the portal refused the attachment")
    return post_with_deliveries(session, office, "Saopštenje o budžetu", {"portal": D.SENT, "archive": D.UNKNOWN},
                     at=BASE, error="read timeout after the request was sent")


def history_languages(session: Session, office: Office) -> Made:
    """A post the portal took in three language versions (two sent, one failed) and the archive as a whole."""
    return post_with_deliveries(session, office, "Konkurs za mala preduzeća",
                                {"portal:sr-Latn": D.SENT, "portal:sq": D.SENT, "portal:en": D.FAILED,
                                 "archive": D.SENT}, at=BASE, error="422: the portal refused the English version")
