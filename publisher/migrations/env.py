"""Alembic environment: the connection is handed in by publisher.core.schema, never read from an ini."""

from alembic import context

from publisher.activities import checklist as _checklist  # noqa: F401 - its tables join Base
from publisher.activities import feed_tokens as _feed_tokens  # noqa: F401 - its table joins Base
from publisher.activities import followup as _followup  # noqa: F401 - its tables join Base
from publisher.activities import links as _links  # noqa: F401 - its tables join Base
from publisher.activities import models as _activities  # noqa: F401 - its tables join Base
from publisher.activities import plan_models as _weekly_plans  # noqa: F401 - its table joins Base
from publisher.approval import models as _approval  # noqa: F401 - its tables join Base
from publisher.core.models import Base
from publisher.documents import models as _documents  # noqa: F401 - its tables join Base
from publisher.mailbox import models as _mailbox  # noqa: F401 - its tables join Base
from publisher.notifications import models as _notifications  # noqa: F401 - its tables join Base
from publisher.outbox import models as _outbox  # noqa: F401 - its tables join Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `publisher init` (publisher.core.schema.upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
