"""Each adapter states how long one request of its `publish` can take, and says it truly.

The worker waits that long (plus a grace) after a silent worker's last heartbeat before it takes its
claims, so a figure below the adapter's real timeout could let reconciliation look while a request
is still on the wire.
"""

from __future__ import annotations

import pytest

from channels import registry
from channels.base import CONNECT_TIMEOUT

KINDS = registry.kinds()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_longest_request_is_the_connect_timeout_plus_the_adapters_own_read_timeout(kind):
    cls = KINDS[kind]
    config, credentials = cls.split_settings(cls.example_settings)
    talks = cls.http_wire is not None or kind == "email"  # SMTP is a wire too, without HTTP
    assert (cls.read_timeout is not None) == talks
    if not talks:
        assert cls.longest_request_seconds(config) == 0.0
        return
    for timeout in (None, 7, "12.5"):
        settings = dict(config)
        settings.pop("timeout", None)
        if timeout is not None:
            settings["timeout"] = timeout
        adapter = cls(settings, credentials)
        assert cls.longest_request_seconds(settings) == CONNECT_TIMEOUT + adapter._read_timeout


@pytest.mark.parametrize("timeout", ["abc", -1, 10_000, True])
def test_a_timeout_the_adapter_would_refuse_counts_as_the_largest_allowed(timeout):
    cls = KINDS["state_portal"]
    assert cls.longest_request_seconds({"timeout": timeout}) == CONNECT_TIMEOUT + cls.read_timeout[1]
