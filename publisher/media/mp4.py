"""MP4 and QuickTime files: their box structure checked beyond the header, and their location removed.

A file is accepted as a video only when its top-level boxes tile the file exactly (a truncated upload ends
inside a box and is refused), there is one `moov` holding a track whose handler is `vide`, there is media
data (`mdat`), and that video track's chunk offsets point inside the file.

Location and device metadata live in `udta` (`©xyz`, `loci`, `©mak`, `©mod`), `meta` (Apple's
`com.apple.quicktime.location.ISO6709`, make and model) and `uuid` (XMP) boxes, at the top level, in `moov`
and in each `trak`. They are removed without moving a byte of anything else: each such box keeps its size
but becomes a `free` box full of zeros, so every chunk offset in the file stays right and no re-encoding
(ffmpeg) is needed.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from publisher.core.errors import MediaRejected

MAX_TOP_BOXES = 100_000
MAX_MOOV_BYTES = 64 * 1024 * 1024  # the index of a several-hour film is a few MB
MAX_DEPTH = 16
CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"})
METADATA_BOXES = frozenset({b"udta", b"meta", b"uuid"})
METADATA_PARENTS = frozenset({b"moov", b"trak"})  # where metadata boxes are wiped (besides the top level)
ZEROS = bytes(1024 * 1024)


@dataclass(frozen=True)
class Box:
    kind: bytes
    offset: int  # of the box's header, from the start of the buffer or file
    size: int  # header included
    header: int  # 8, or 16 with a 64-bit size

    @property
    def end(self) -> int:
        return self.offset + self.size

    @property
    def body(self) -> int:
        return self.offset + self.header


def _refuse(label: str, detail: str, problem: str = "is incomplete or damaged") -> MediaRejected:
    return MediaRejected(422, "damaged_file", f"The file starts like {label} but {problem}, so it cannot be "
                         "used. Please export it again and re-upload it.", detail)


def _box_at(head: bytes, offset: int, limit: int, label: str) -> Box:
    if len(head) < 8:
        raise _refuse(label, f"box header cut off at {offset}")
    size, kind = struct.unpack(">I4s", head[:8])
    header = 8
    if size == 1:
        if len(head) < 16:
            raise _refuse(label, f"64-bit box header cut off at {offset}")
        (size,) = struct.unpack(">Q", head[8:16])
        header = 16
    elif size == 0:
        size = limit - offset  # "to the end"
    if not all(0x20 <= b <= 0x7E or b == 0xA9 for b in kind):
        raise _refuse(label, f"not a box type at {offset}: {kind!r}", "is not really a video file")
    if size < header:
        raise _refuse(label, f"box {kind!r} at {offset} declares {size} bytes")
    if offset + size > limit:
        raise _refuse(label, f"box {kind!r} at {offset} needs {size} bytes; only {limit - offset} remain",
                      "ends before its last part does (the upload or the export was cut short, or it is not "
                      "really a video)")
    return Box(kind, offset, size, header)


def top_boxes(fp: BinaryIO, size: int, label: str) -> list[Box]:
    boxes: list[Box] = []
    offset = 0
    while offset < size:
        if len(boxes) >= MAX_TOP_BOXES:
            raise _refuse(label, "too many top-level boxes")
        fp.seek(offset)
        box = _box_at(fp.read(16), offset, size, label)
        boxes.append(box)
        offset = box.end
    return boxes


def children(buf: bytes | bytearray, parent: Box, label: str) -> list[Box]:
    found: list[Box] = []
    offset = parent.body
    while offset + 8 <= parent.end:
        box = _box_at(bytes(buf[offset:offset + 16]), offset, parent.end, label)
        found.append(box)
        offset = box.end
    if any(buf[offset:parent.end]):  # old QuickTime files end a list with four zero bytes: that is fine
        raise _refuse(label, f"{parent.kind!r} at {parent.offset} has {parent.end - offset} stray bytes")
    return found


def _find(buf: bytes, parent: Box, kind: bytes, label: str) -> list[Box]:
    return [b for b in children(buf, parent, label) if b.kind == kind]


def _is_video_track(buf: bytes, trak: Box, label: str) -> bool:
    for mdia in _find(buf, trak, b"mdia", label):
        for hdlr in _find(buf, mdia, b"hdlr", label):
            if hdlr.size >= hdlr.header + 12 and buf[hdlr.body + 8:hdlr.body + 12] == b"vide":
                return True
    return False


def _chunk_offsets(buf: bytes, trak: Box, label: str) -> list[int]:
    offsets: list[int] = []
    for mdia in _find(buf, trak, b"mdia", label):
        for minf in _find(buf, mdia, b"minf", label):
            for stbl in _find(buf, minf, b"stbl", label):
                for table in children(buf, stbl, label):
                    if table.kind not in (b"stco", b"co64"):
                        continue
                    width = 4 if table.kind == b"stco" else 8
                    if table.size < table.header + 8:
                        raise _refuse(label, f"{table.kind!r} too short")
                    (count,) = struct.unpack(">I", buf[table.body + 4:table.body + 8])
                    start = table.body + 8
                    if start + count * width > table.end:
                        raise _refuse(label, f"{table.kind!r} declares {count} entries beyond its box")
                    fmt = ">" + ("I" if width == 4 else "Q") * count
                    offsets.extend(struct.unpack(fmt, buf[start:start + count * width]))
    return offsets


def _read_moov(fp: BinaryIO, moov: Box, label: str) -> bytes:
    if moov.size > MAX_MOOV_BYTES:
        raise _refuse(label, f"moov of {moov.size} bytes", "has an index too large to check")
    fp.seek(moov.offset)
    buf = fp.read(moov.size)
    if len(buf) != moov.size:
        raise _refuse(label, "moov cut off")
    return buf


def check(fp: BinaryIO, size: int, label: str) -> list[Box]:
    """The file's top-level boxes, after checking that it is a whole video; raises MediaRejected if not."""
    boxes = top_boxes(fp, size, label)
    if boxes[0].kind != b"ftyp":
        raise _refuse(label, "the first box is not ftyp")
    moovs = [b for b in boxes if b.kind == b"moov"]
    if len(moovs) != 1:
        raise _refuse(label, f"{len(moovs)} moov boxes", "has no index of its contents (no single moov box)")
    if not any(b.kind == b"mdat" and b.size > b.header for b in boxes):
        raise _refuse(label, "no mdat with data", "holds no picture or sound data")
    moov = moovs[0]
    buf = _read_moov(fp, moov, label)
    local = Box(moov.kind, 0, moov.size, moov.header)
    videos = [t for t in _find(buf, local, b"trak", label) if _is_video_track(buf, t, label)]
    if not videos:
        raise _refuse(label, "no trak with a vide handler", "has no video track")
    for trak in videos:
        if any(offset >= size for offset in _chunk_offsets(buf, trak, label)):
            raise _refuse(label, "a chunk offset points past the end of the file",
                          "points to picture data past its end (it was cut short)")
    return boxes


def _wipe(buf: bytearray, parent: Box, depth: int, label: str) -> int:
    wiped = 0
    for box in children(buf, parent, label):
        if box.kind in METADATA_BOXES:
            buf[box.offset + 4:box.offset + 8] = b"free"
            buf[box.body:box.end] = bytes(box.end - box.body)
            wiped += 1
        elif box.kind in METADATA_PARENTS and depth < MAX_DEPTH:
            wiped += _wipe(buf, box, depth + 1, label)
    return wiped


def _zero_file_range(fp: BinaryIO, start: int, end: int) -> None:
    fp.seek(start)
    while start < end:
        step = min(len(ZEROS), end - start)
        fp.write(ZEROS[:step])
        start += step


def strip_metadata(path: Path, label: str, *, dry_run: bool = False) -> bool:
    """Turn every location/device metadata box into zeroed free space, in place; True if anything changed.

    With dry_run, only say whether anything would change (the file is opened read-only)."""
    with open(path, "rb" if dry_run else "r+b") as fp:
        size = os.fstat(fp.fileno()).st_size
        boxes = check(fp, size, label)
        changed = False
        for box in boxes:
            if box.kind in METADATA_BOXES:
                if not dry_run:
                    fp.seek(box.offset + 4)
                    fp.write(b"free")
                    _zero_file_range(fp, box.body, box.end)
                changed = True
            elif box.kind == b"moov":
                buf = bytearray(_read_moov(fp, box, label))
                if _wipe(buf, Box(box.kind, 0, box.size, box.header), 0, label):
                    if not dry_run:
                        fp.seek(box.offset)
                        fp.write(buf)
                    changed = True
        return changed
