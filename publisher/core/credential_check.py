"""The start-up check of the credentials key: refuse to run with a key that cannot read the stored credentials.

Without it, a lost or wrong key file was replaced by a new key at start and every channel then failed on
its first send. Now the processes (and the commands that use credentials) stop before doing anything, name
the key they tried and say how to put the right one back; a key generated just now is removed again, so that
no new key is ever kept beside credentials it cannot read.
"""

from __future__ import annotations

from sqlalchemy import inspect, select

from publisher.core.errors import CredentialKeyError
from publisher.core.models import Channel
from publisher.core.runtime import Runtime


def unreadable_channels(rt: Runtime) -> list[str]:
    """Names of the channels whose stored credentials none of the configured keys can decrypt."""
    if not inspect(rt.engine).has_table(Channel.__tablename__):
        return []  # no schema yet: nothing is stored
    with rt.read_sessions() as session:
        stored = session.execute(select(Channel.name, Channel.credentials).where(Channel.credentials != "")
                                 .order_by(Channel.id)).all()
    unreadable = []
    for name, token in stored:
        try:
            rt.box.decrypt(token)
        except CredentialKeyError:
            unreadable.append(name)
    return unreadable


def require_readable_credentials(rt: Runtime) -> None:
    """Raise CredentialKeyError, naming the key and the fix, when a channel's credentials cannot be decrypted."""
    names = unreadable_channels(rt)
    if not names:
        return
    settings = rt.settings
    key_file = settings.credentials_key_file
    if key_file is None:
        tried = "the key(s) in PUBLISHER_CREDENTIALS_KEY"
    elif settings.credentials_key_created:
        key_file.unlink(missing_ok=True)
        tried = f"a new key, because {key_file} was missing (it was not kept)"
    else:
        tried = f"the key in {key_file}"
    shown = ", ".join(repr(n) for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    where = key_file or rt.settings.instance_dir / "credentials.key"
    raise CredentialKeyError(
        f"the stored credentials of channel(s) {shown} cannot be decrypted with {tried}; publisher does not "
        f"start with a key that cannot read them. Put back the key that encrypted them: copy credentials.key "
        f"from the backup (keys/credentials.key) to {where}, or set PUBLISHER_CREDENTIALS_KEY to it (newest "
        f"key first, older ones after it). Do not generate a new key: every channel would fail."
    )
