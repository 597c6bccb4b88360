"""Image files as the media library receives them: real PNG and JPEG bytes from Pillow."""

from __future__ import annotations

import io
import struct

from PIL import Image


def png_bytes(width: int = 8, height: int = 6, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(width: int = 8, height: int = 6) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


# A place in Belgrade and a camera: what must never leave the office in a photo's metadata.
GPS_LATITUDE = (44.0, 49.0, 3.36)
GPS_LONGITUDE = (20.0, 27.0, 44.4)
CAMERA_SERIAL = "SN-0042-MINISTAR"
LOCATION_ISO6709 = "+44.8176+020.4633+117.000/"


def located_exif(orientation: int = 6) -> Image.Exif:
    """EXIF as a phone writes it: position, make, model, serial numbers, maker note, and what may stay."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS R5"
    exif[0x013B] = "Press office"  # Artist: may stay
    exif[0x8298] = "Ministry"  # Copyright: may stay
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", GPS_LATITUDE, "E", GPS_LONGITUDE
    camera = exif.get_ifd(0x8769)
    camera[0xA431] = CAMERA_SERIAL  # BodySerialNumber
    camera[0xA435] = "LENS-" + CAMERA_SERIAL  # LensSerialNumber
    camera[0xA430] = "Ana Owner"  # CameraOwnerName
    camera[0x927C] = b"MAKERNOTE" + CAMERA_SERIAL.encode()
    return exif


XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="44,49.056N" '
       b'exif:GPSLongitude="20,27.74E"/></rdf:RDF></x:xmpmeta>')


def located_photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A photo carrying GPS, device serials and XMP location, with an ICC profile that must stay."""
    from PIL import ImageCms

    buf = io.BytesIO()
    image = Image.new("RGB", size, (10, 120, 200))
    for x in range(size[0]):
        image.putpixel((x, x % size[1]), (250, 250, 0))
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    extra = {"comment": b"taken at " + LOCATION_ISO6709.encode()} if fmt == "JPEG" else {}
    image.save(buf, fmt, exif=located_exif(), icc_profile=icc, xmp=XMP, **extra)
    return buf.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, payload: bytes) -> bytes:
    return _box(kind, b"\x00\x00\x00\x00" + payload)


def mp4_bytes(*, major: bytes = b"isom", compatible: tuple[bytes, ...] = (b"isom", b"mp41"),
              located: bool = True, handler: bytes = b"vide", media: bytes = b"\x00\x11" * 64) -> bytes:
    """A small but whole MP4 (ftyp, moov with a video track and its chunk offsets, mdat), with the
    location and device boxes a phone writes (udta ©xyz and ©mod, an Apple meta with ISO 6709)."""
    ftyp = _box(b"ftyp", major + b"\x00\x00\x02\x00" + b"".join(compatible))

    def moov(chunk_offset: int) -> bytes:
        hdlr = _full_box(b"hdlr", b"\x00" * 4 + handler + b"\x00" * 12 + b"VideoHandler\x00")
        stbl = _box(b"stbl", _full_box(b"stco", struct.pack(">II", 1, chunk_offset)))
        trak = _box(b"trak", _full_box(b"tkhd", b"\x00" * 80) + _box(b"mdia", hdlr + _box(b"minf", stbl)))
        extra = b""
        if located:
            where = LOCATION_ISO6709.encode()
            extra = _box(b"udta", _box(b"\xa9xyz", struct.pack(">HH", len(where), 0x15C7) + where)
                         + _box(b"\xa9mod", CAMERA_SERIAL.encode()))
            extra += _box(b"meta", _full_box(b"hdlr", b"\x00" * 4 + b"mdta" + b"\x00" * 12 + b"\x00")
                          + _box(b"keys", b"com.apple.quicktime.location.ISO6709")
                          + _box(b"ilst", where))
        return _box(b"moov", _full_box(b"mvhd", b"\x00" * 96) + trak + extra)

    head = len(ftyp) + len(moov(0))
    return ftyp + moov(head + 8) + _box(b"mdat", media)
