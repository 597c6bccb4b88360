"""A channel kind for dispatcher tests: each publish does what the test scripted, and says so.

It stands in for our own adapter interface (not for any platform): the dispatcher's decisions for
`OutcomeUnknown`, an adapter bug, or a `find` that answers yes / no / cannot tell are tested with it.
Platform fakes that speak HTTP live beside it (`portal_receiver`).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

from channels import registry
from channels.base import Capabilities, Channel, Content, Health, Published
from channels.errors import OutcomeUnknown


class ScriptedChannel(Channel):
    kind = "scripted"
    label = "Scripted (tests)"
    config_fields = ()
    idempotent: ClassVar[bool] = False
    script: ClassVar[deque] = deque()  # exceptions to raise, or None for success, in call order
    published: ClassVar[dict[str, int]] = {}  # key -> times it was published
    found: ClassVar[object] = "cannot tell"  # what find() answers: Published, None or "cannot tell"
    lock = threading.Lock()

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(max_text=5000, max_images=4, media_types=frozenset({"image/png", "image/jpeg"}),
                            alt_text_required=True, idempotent=cls.idempotent)

    def publish(self, content: Content, *, key: str) -> Published:
        with self.lock:
            step = self.script.popleft() if self.script else None
            if step is None or isinstance(step, OutcomeUnknown):
                self.published[key] = self.published.get(key, 0) + 1  # it went out (maybe unseen)
        if step is not None:
            raise step
        return Published(remote_id=f"remote-{key}", url=f"https://example.test/{key}")

    def find(self, key: str) -> Published | None:
        if self.found == "cannot tell":
            raise OutcomeUnknown("no lookup in this test")
        return self.found  # type: ignore[return-value]

    def check(self) -> Health:
        return Health(ok=True)


@contextmanager
def scripted_kind(*, idempotent: bool = False) -> Iterator[type[ScriptedChannel]]:
    ScriptedChannel.idempotent = idempotent
    ScriptedChannel.script = deque()
    ScriptedChannel.published = {}
    ScriptedChannel.found = "cannot tell"
    registry.register(ScriptedChannel)
    try:
        yield ScriptedChannel
    finally:
        registry.unregister(ScriptedChannel.kind)
