"""The one error of backups and restores: it says what was refused and why, naming the file or database."""

from __future__ import annotations

from publisher.core.errors import PublisherError


class BackupError(PublisherError):
    status, code = 409, "backup_refused"
