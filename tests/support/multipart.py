"""Reading back a multipart/form-data body exactly as it was sent, part by part, in order."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAM = re.compile(r';\s*(name|filename)="([^"]*)"')


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    assert content_type.startswith("multipart/form-data; boundary="), content_type
    boundary = content_type.split("boundary=", 1)[1].encode()
    pieces = body.split(b"--" + boundary)
    assert pieces[0] == b"", "nothing may precede the first boundary"
    assert pieces[-1] == b"--\r\n", "the body must end with the closing boundary"
    parts = []
    for piece in pieces[1:-1]:
        assert piece.startswith(b"\r\n") and piece.endswith(b"\r\n")
        head, _, data = piece[2:-2].partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("utf-8").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers["content-disposition"]
        assert disposition.startswith("form-data"), disposition
        params = dict(_PARAM.findall(disposition))
        parts.append(Part(params["name"], params.get("filename"), headers.get("content-type"), data))
    return parts
