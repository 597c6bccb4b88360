"""The IANA time zones a record may name: what zoneinfo finds, less the names that are not fixed zones."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

# Names the zoneinfo search path resolves but that are not real, fixed IANA zones: "localtime" is a symlink
# to the host's /etc/localtime (host-dependent), the others are placeholders.
NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_ZONES
