"""The Bluesky adapter on the wire. atproto talks httpx, so the XRPC server is mocked at httpx's transport
with respx (the httpx counterpart of `responses`): every request is asserted, nothing leaves the machine."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import respx
from atproto_client.models.string_formats import TID_RE
from PIL import Image

from channels import registry
from channels.base import Content, MediaItem, Problem, Published
from channels.bluesky import (
    MAX_IMAGE_BYTES,
    BlueskyChannel,
    forget_sessions,
    post_text,
    post_url,
    record_key,
)
from channels.errors import (
    AuthExpired,
    ChannelConfigError,
    ChannelError,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Retryable,
)

XRPC = "https://bsky.social/xrpc"
HANDLE = "ministarstvo.bsky.social"
DID = "did:plc:z72i7hdynmk6r22z27h6tvur"
PASSWORD = "abcd-2345-efgh-6789"
KEY = "p7-c2-0123456789abcdef"
RKEY = record_key(KEY)
CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
BLOB_CID = "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"
TEXT = "Министарство привреде објављује нови програм подршке."
ALT = "Министар на конференцији за медије"


def jwt(seconds: int, kind: str = "access") -> str:
    """A JWT the SDK can read the expiry of (it never checks the signature: the server does)."""
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    claims = {"scope": "com.atproto.appPass", "sub": DID, "iat": int(time.time()), "exp": int(time.time()) + seconds,
              "jti": kind}
    return f"{part({'alg': 'HS256', 'typ': 'at+jwt'})}.{part(claims)}.c2lnbmF0dXJl"


ACCESS, REFRESH = jwt(7200, "access-1"), jwt(60 * 86400, "refresh-1")
ACCESS2, REFRESH2 = jwt(7200, "access-2"), jwt(60 * 86400, "refresh-2")


def session_reply(access: str = ACCESS, refresh: str = REFRESH, **extra) -> dict:
    return {"did": DID, "handle": HANDLE, "accessJwt": access, "refreshJwt": refresh, **extra}


def created(rkey: str = RKEY) -> dict:
    return {"uri": f"at://{DID}/app.bsky.feed.post/{rkey}", "cid": CID,
            "commit": {"cid": CID, "rev": "3lu3k7vikye2m"}, "validationStatus": "valid"}


def stored(rkey: str = RKEY) -> dict:
    return {"uri": f"at://{DID}/app.bsky.feed.post/{rkey}", "cid": CID,
            "value": {"$type": "app.bsky.feed.post", "text": TEXT, "createdAt": "2025-03-01T09:30:00.000Z"}}


def xrpc_error(status: int, error: str, message: str | None = None, **headers) -> httpx.Response:
    body = {"error": error, **({"message": message} if message else {})}
    return httpx.Response(status, json=body, headers=headers)


NOT_FOUND = xrpc_error(400, "RecordNotFound", f"Could not locate record: at://{DID}/app.bsky.feed.post/{RKEY}")


@pytest.fixture(autouse=True)
def no_kept_sessions():
    forget_sessions()  # sessions are shared per account in the process; every test starts signed out
    yield
    forget_sessions()


@pytest.fixture
def xrpc():
    with respx.mock(base_url=XRPC, assert_all_mocked=True, assert_all_called=False) as router:
        yield router


@pytest.fixture
def signed_in(xrpc):
    return xrpc.post("/com.atproto.server.createSession").respond(json=session_reply())


def adapter(**config) -> BlueskyChannel:
    return BlueskyChannel({"handle": HANDLE, **config}, {"app_password": PASSWORD}, name="Bluesky")


def content(**changes) -> Content:
    fields = {"post_id": 7, "title": "Саопштење", "text": TEXT, "language": "sr-Cyrl"}
    return Content(**{**fields, **changes})


def image_file(tmp_path: Path, name: str = "foto.png", size: tuple[int, int] = (4, 3), *, alt: str = ALT,
               exif_rotation: int | None = None, fmt: str = "PNG", content_type: str = "image/png") -> MediaItem:
    path = tmp_path / name
    picture = Image.new("RGB", size, (200, 30, 40))
    if exif_rotation:
        exif = picture.getexif()
        exif[0x0112] = exif_rotation
        picture.save(path, fmt, exif=exif)
    else:
        picture.save(path, fmt)
    data = path.read_bytes()
    return MediaItem(path, content_type, hashlib.sha256(data).hexdigest(), len(data), alt, name)


def fake_media(name: str, content_type: str, *, size: int = 100, alt_text: str = "opis") -> MediaItem:
    return MediaItem(Path("/nonexistent") / name, content_type, "ab" * 32, size, alt_text, name)


def calls(router) -> list[tuple[str, str]]:
    return [(c.request.method, urlsplit(str(c.request.url)).path.removeprefix("/xrpc/")) for c in router.calls]


def body(call) -> dict:
    return json.loads(call.request.content)


def record_of(call) -> dict:
    """The createRecord body's record, with createdAt checked (a fresh UTC time) and taken out."""
    sent = body(call)
    record = sent["record"]
    created_at = datetime.strptime(record.pop("createdAt"), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - created_at).total_seconds()) < 10
    assert {k: v for k, v in sent.items() if k != "record"} == {
        "collection": "app.bsky.feed.post", "repo": DID, "rkey": RKEY}
    return record


# --- the exact requests ------------------------------------------------------------------------------


def test_two_posts_sign_in_once(xrpc, signed_in):
    create = xrpc.post("/com.atproto.repo.createRecord")
    create.side_effect = [httpx.Response(200, json=created()),
                          httpx.Response(200, json=created(record_key("p8-c2-fedcba9876543210")))]
    channel = adapter()

    first = channel.publish(content(), key=KEY)
    second = channel.publish(content(text="Друга вест."), key="p8-c2-fedcba9876543210")

    assert first == Published(f"at://{DID}/app.bsky.feed.post/{RKEY}", post_url(HANDLE, RKEY))
    assert first.url == f"https://bsky.app/profile/{HANDLE}/post/{RKEY}"
    assert second.remote_id.endswith(record_key("p8-c2-fedcba9876543210"))
    assert calls(xrpc) == [("POST", "com.atproto.server.createSession"),
                           ("POST", "com.atproto.repo.createRecord"), ("POST", "com.atproto.repo.createRecord")]
    login = signed_in.calls[0].request
    assert json.loads(login.content) == {"identifier": HANDLE, "password": PASSWORD}
    assert "authorization" not in login.headers
    for call in create.calls:
        assert call.request.headers["authorization"] == f"Bearer {ACCESS}"
        assert call.request.headers["content-type"] == "application/json"
        assert call.request.headers["user-agent"] == "publisher/0.1"
    assert record_of(create.calls[0]) == {"$type": "app.bsky.feed.post", "text": TEXT, "langs": ["sr-Cyrl"]}


def test_cyrillic_text_with_a_link_gets_facets_at_byte_offsets(xrpc, signed_in):
    text = "Министарство: https://mfa.gov.rs/vesti/1 и #Србија"
    create = xrpc.post("/com.atproto.repo.createRecord").respond(json=created())

    adapter().publish(content(text=text), key=KEY)

    link_start_char = text.index("https://")
    link_start = len(text[:link_start_char].encode())
    link_end = link_start + len(b"https://mfa.gov.rs/vesti/1")
    tag_start = len(text[: text.index("#")].encode())
    tag_end = len(text.encode())
    assert (link_start_char, link_start) == (14, 26)  # Cyrillic letters are two bytes in UTF-8
    assert text.encode()[link_start:link_end] == b"https://mfa.gov.rs/vesti/1"
    assert text.encode()[tag_start:tag_end].decode() == "#Србија"
    assert record_of(create.calls[0]) == {
        "$type": "app.bsky.feed.post",
        "text": text,
        "langs": ["sr-Cyrl"],
        "facets": [
            {"$type": "app.bsky.richtext.facet",
             "index": {"$type": "app.bsky.richtext.facet#byteSlice", "byteStart": link_start, "byteEnd": link_end},
             "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://mfa.gov.rs/vesti/1"}]},
            {"$type": "app.bsky.richtext.facet",
             "index": {"$type": "app.bsky.richtext.facet#byteSlice", "byteStart": tag_start, "byteEnd": tag_end},
             "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "Србија"}]},
        ],
    }
    assert text.encode() in create.calls[0].request.content  # UTF-8 on the wire, as the offsets assume


def test_a_bare_domain_becomes_an_https_link(xrpc, signed_in):
    create = xrpc.post("/com.atproto.repo.createRecord").respond(json=created())

    adapter().publish(content(text="Више на www.mfa.gov.rs."), key=KEY)

    (facet,) = record_of(create.calls[0])["facets"]
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": "https://www.mfa.gov.rs"}]
    assert facet["index"]["byteStart"] == len("Више на ".encode())


def test_an_image_post_uploads_the_bytes_then_embeds_them(xrpc, signed_in, tmp_path):
    photo = image_file(tmp_path, "foto.png", (4, 3))
    tall = image_file(tmp_path, "uspravna.jpg", (40, 30), alt="Зграда министарства", exif_rotation=6, fmt="JPEG",
                      content_type="image/jpeg")
    upload = xrpc.post("/com.atproto.repo.uploadBlob")
    upload.side_effect = [
        httpx.Response(200, json={"blob": {"$type": "blob", "ref": {"$link": BLOB_CID}, "mimeType": "image/png",
                                           "size": photo.size}}),
        httpx.Response(200, json={"blob": {"$type": "blob", "ref": {"$link": BLOB_CID[:-1] + "a"},
                                           "mimeType": "image/jpeg", "size": tall.size}}),
    ]
    create = xrpc.post("/com.atproto.repo.createRecord").respond(json=created())

    adapter().publish(content(media=(photo, tall)), key=KEY)

    assert calls(xrpc) == [("POST", "com.atproto.server.createSession"), ("POST", "com.atproto.repo.uploadBlob"),
                           ("POST", "com.atproto.repo.uploadBlob"), ("POST", "com.atproto.repo.createRecord")]
    for call, item in zip(upload.calls, (photo, tall), strict=True):
        assert call.request.content == item.read()
        assert call.request.headers["content-type"] == item.content_type
        assert call.request.headers["authorization"] == f"Bearer {ACCESS}"
    assert record_of(create.calls[0])["embed"] == {
        "$type": "app.bsky.embed.images",
        "images": [
            {"$type": "app.bsky.embed.images#image", "alt": ALT,
             "image": {"$type": "blob", "ref": {"$link": BLOB_CID}, "mimeType": "image/png", "size": photo.size},
             "aspectRatio": {"$type": "app.bsky.embed.defs#aspectRatio", "width": 4, "height": 3}},
            {"$type": "app.bsky.embed.images#image", "alt": "Зграда министарства",
             "image": {"$type": "blob", "ref": {"$link": BLOB_CID[:-1] + "a"}, "mimeType": "image/jpeg",
                       "size": tall.size},
             # EXIF orientation 6: stored 40×30, shown 30×40
             "aspectRatio": {"$type": "app.bsky.embed.defs#aspectRatio", "width": 30, "height": 40}},
        ],
    }


def test_line_ends_are_sent_as_lf(xrpc, signed_in):
    create = xrpc.post("/com.atproto.repo.createRecord").respond(json=created())

    adapter().publish(content(text="Први ред\r\nДруги ред\rТрећи"), key=KEY)

    assert record_of(create.calls[0])["text"] == "Први ред\nДруги ред\nТрећи"


def test_the_pds_named_in_the_did_document_gets_the_writes(xrpc):
    pds = "https://morel.us-east.host.bsky.network"
    did_doc = {"@context": ["https://www.w3.org/ns/did/v1"], "id": DID, "alsoKnownAs": [f"at://{HANDLE}"],
               "verificationMethod": [],
               "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds}]}
    xrpc.post("/com.atproto.server.createSession").respond(json=session_reply(didDoc=did_doc))
    at_pds = xrpc.route(method="POST", url=f"{pds}/xrpc/com.atproto.repo.createRecord").respond(json=created())

    adapter().publish(content(), key=KEY)

    assert at_pds.call_count == 1


def test_adapters_for_the_same_account_share_one_session(xrpc, signed_in):
    xrpc.post("/com.atproto.repo.createRecord").respond(json=created())
    xrpc.get("/com.atproto.repo.getRecord").respond(json=stored())

    adapter().publish(content(), key=KEY)
    assert adapter().find(KEY) is not None  # e.g. the reconciler, which builds its own adapter

    assert signed_in.call_count == 1
    assert xrpc.calls[-1].request.headers["authorization"] == f"Bearer {ACCESS}"


# --- the record key ----------------------------------------------------------------------------------


def test_the_record_key_is_a_tid_derived_from_the_delivery_key():
    assert TID_RE.fullmatch(RKEY)
    assert record_key(KEY) == RKEY  # the same on every attempt and in find()
    keys = {record_key(f"p{n}-c2-0123456789abcdef") for n in range(1000)}
    assert len(keys) == 1000 and all(TID_RE.fullmatch(k) for k in keys)
    for rkey in keys:
        value = 0
        for ch in rkey:
            value = value * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(ch)
        assert value < 2**63
        when = datetime.fromtimestamp((value >> 10) / 1e6, UTC)
        assert datetime(2000, 1, 1, tzinfo=UTC) <= when < datetime(2009, 1, 1, tzinfo=UTC)


# --- find --------------------------------------------------------------------------------------------


def test_find_when_the_post_exists(xrpc, signed_in):
    lookup = xrpc.get("/com.atproto.repo.getRecord").respond(json=stored())

    assert adapter().find(KEY) == Published(f"at://{DID}/app.bsky.feed.post/{RKEY}", post_url(HANDLE, RKEY))
    request = lookup.calls[0].request
    assert dict(parse_qsl(request.url.query.decode())) == {
        "repo": DID, "collection": "app.bsky.feed.post", "rkey": RKEY}


def test_find_when_the_post_does_not_exist(xrpc, signed_in):
    xrpc.get("/com.atproto.repo.getRecord").mock(return_value=NOT_FOUND)

    assert adapter().find(KEY) is None


@pytest.mark.parametrize(("reply", "expected", "message"), [
    (xrpc_error(500, "InternalServerError", "Internal Server Error"), OutcomeUnknown,
     "looking the post up: the server failed (HTTP 500): InternalServerError: Internal Server Error; "
     "cannot tell now whether the post exists"),
    (httpx.ReadTimeout("timed out"), OutcomeUnknown,
     "looking the post up: the server did not answer in time (ReadTimeout); cannot tell now whether the post "
     "exists"),
    (xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", **{"ratelimit-reset": str(int(time.time()) + 30)}),
     RateLimited, "looking the post up: the server is limiting requests (HTTP 429): RateLimitExceeded: Rate Limit "
                  "Exceeded"),
])
def test_find_when_the_server_cannot_say(xrpc, signed_in, reply, expected, message):
    xrpc.get("/com.atproto.repo.getRecord").mock(side_effect=[reply])

    with pytest.raises(ChannelError) as caught:
        adapter().find(KEY)
    assert (type(caught.value), caught.value.message) == (expected, message)


# --- the failure table for createRecord --------------------------------------------------------------

SAFE = "; sending again cannot duplicate the post: its record key is fixed"
CREATE = ("POST", "com.atproto.repo.createRecord")
LOOKUP = ("GET", "com.atproto.repo.getRecord")
PUBLISHED = Published(f"at://{DID}/app.bsky.feed.post/{RKEY}", post_url(HANDLE, RKEY))


@pytest.mark.parametrize(("reply", "lookup", "expected", "message"), [
    # The rkey is taken: an earlier attempt went out. Today's PDS says 500; the record is there.
    (xrpc_error(500, "InternalServerError", "Internal Server Error"), httpx.Response(200, json=stored()),
     PUBLISHED, None),
    (xrpc_error(400, "InvalidSwap", "Record already exists"), httpx.Response(200, json=stored()), PUBLISHED, None),
    (xrpc_error(400, "InvalidSwap", "Record already exists"), httpx.ReadTimeout("timed out"), Retryable,
     "posting: the server refused it (HTTP 400): InvalidSwap: Record already exists; the post could not be looked "
     "up, sending again cannot duplicate the post: its record key is fixed"),
    (xrpc_error(502, "UpstreamFailure", "Upstream Failure"), NOT_FOUND, Retryable,
     f"posting: the server failed (HTTP 502): UpstreamFailure: Upstream Failure{SAFE}"),
    (xrpc_error(503, "NotEnoughResources"), xrpc_error(503, "NotEnoughResources"), Retryable,
     f"posting: the server failed (HTTP 503): NotEnoughResources{SAFE}"),
    # Sent and maybe written: asked, and resent only if it is not there.
    (httpx.ReadTimeout("timed out"), NOT_FOUND, Retryable,
     f"posting: the server did not answer in time (ReadTimeout){SAFE}"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."),
     httpx.Response(200, json=stored()), PUBLISHED, None),
    (httpx.Response(200, text="<html>proxy page</html>", headers={"content-type": "text/html"}),
     httpx.Response(200, json=stored()), PUBLISHED, None),
    # Nothing sent: no need to ask.
    (httpx.ConnectTimeout("timed out"), None, Retryable,
     f"posting: could not connect to the server within 5 s (ConnectTimeout){SAFE}"),
    (httpx.ConnectError("connection refused"), None, Retryable,
     f"posting: the connection to the server failed (ConnectError){SAFE}"),
    (xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", **{"ratelimit-reset": str(int(time.time()) + 60),
                                                                   "ratelimit-remaining": "0"}),
     None, RateLimited, "posting: the server is limiting requests (HTTP 429): RateLimitExceeded: Rate Limit Exceeded"),
    (xrpc_error(400, "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must not be longer than "
                                       "300 graphemes"), None, Rejected,
     "posting: the server refused it (HTTP 400): InvalidRequest: Invalid app.bsky.feed.post record: Record/text "
     "must not be longer than 300 graphemes"),
    (httpx.Response(413, text="Payload Too Large"), None, Rejected,
     "posting: too large for the server (HTTP 413): Payload Too Large"),
    (xrpc_error(403, "AccountTakedown", "Account has been taken down"), None, AuthExpired,
     "posting: the server refused the credentials (HTTP 403): AccountTakedown: Account has been taken down; "
     "check the handle and the app password"),
])
def test_failure_table(xrpc, signed_in, reply, lookup, expected, message):
    xrpc.post("/com.atproto.repo.createRecord").mock(side_effect=[reply])
    if lookup is not None:
        xrpc.get("/com.atproto.repo.getRecord").mock(side_effect=[lookup])

    try:
        outcome = adapter().publish(content(), key=KEY)
    except ChannelError as exc:
        outcome = exc

    if isinstance(expected, Published):
        assert outcome == expected
    else:
        assert (type(outcome), outcome.message) == (expected, message)
        assert outcome.__cause__ is None and (outcome.__context__ is None or outcome.__suppress_context__)
        for text in (outcome.message, str(outcome), repr(outcome)):
            assert PASSWORD not in text and ACCESS not in text and REFRESH not in text
    assert calls(xrpc)[1:] == [CREATE] + ([LOOKUP] if lookup is not None else [])
    assert all(body(c)["rkey"] == RKEY for c in xrpc.calls if c.request.url.path.endswith("createRecord"))


def test_a_rate_limit_carries_the_reset(xrpc, signed_in):
    reset = int(time.time()) + 60
    xrpc.post("/com.atproto.repo.createRecord").mock(
        return_value=xrpc_error(429, "RateLimitExceeded", **{"ratelimit-reset": str(reset)}))

    with pytest.raises(RateLimited) as caught:
        adapter().publish(content(), key=KEY)
    assert 55 <= caught.value.retry_after <= 61


# --- the session: renewed, not remade --------------------------------------------------------------


def test_an_expired_token_is_refreshed_once_and_the_post_goes(xrpc, signed_in):
    refresh = xrpc.post("/com.atproto.server.refreshSession").respond(json=session_reply(ACCESS2, REFRESH2))
    create = xrpc.post("/com.atproto.repo.createRecord")
    create.side_effect = [xrpc_error(400, "ExpiredToken", "Token has expired"), httpx.Response(200, json=created())]

    assert adapter().publish(content(), key=KEY) == PUBLISHED

    assert calls(xrpc) == [("POST", "com.atproto.server.createSession"), CREATE,
                           ("POST", "com.atproto.server.refreshSession"), CREATE]
    assert refresh.calls[0].request.headers["authorization"] == f"Bearer {REFRESH}"
    assert create.calls[1].request.headers["authorization"] == f"Bearer {ACCESS2}"


def test_a_token_about_to_expire_is_refreshed_before_the_call(xrpc):
    xrpc.post("/com.atproto.server.createSession").respond(json=session_reply(access=jwt(300)))
    xrpc.post("/com.atproto.server.refreshSession").respond(json=session_reply(ACCESS2, REFRESH2))
    create = xrpc.post("/com.atproto.repo.createRecord").respond(json=created())

    adapter().publish(content(), key=KEY)

    assert calls(xrpc) == [("POST", "com.atproto.server.createSession"),
                           ("POST", "com.atproto.server.refreshSession"), CREATE]
    assert create.calls[0].request.headers["authorization"] == f"Bearer {ACCESS2}"


def test_a_refused_refresh_signs_in_again(xrpc):
    login = xrpc.post("/com.atproto.server.createSession")
    login.side_effect = [httpx.Response(200, json=session_reply()),
                         httpx.Response(200, json=session_reply(ACCESS2, REFRESH2))]
    xrpc.post("/com.atproto.server.refreshSession").mock(
        return_value=xrpc_error(400, "ExpiredToken", "Token has been revoked"))
    create = xrpc.post("/com.atproto.repo.createRecord")
    create.side_effect = [xrpc_error(401, "InvalidToken", "Token could not be verified"),
                          httpx.Response(200, json=created())]

    assert adapter().publish(content(), key=KEY) == PUBLISHED
    assert calls(xrpc) == [("POST", "com.atproto.server.createSession"), CREATE,
                           ("POST", "com.atproto.server.refreshSession"),
                           ("POST", "com.atproto.server.createSession"), CREATE]
    assert create.calls[1].request.headers["authorization"] == f"Bearer {ACCESS2}"


def test_credentials_refused_everywhere_is_auth_expired(xrpc):
    login = xrpc.post("/com.atproto.server.createSession")
    login.side_effect = [httpx.Response(200, json=session_reply()),
                         xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")]
    xrpc.post("/com.atproto.server.refreshSession").mock(return_value=xrpc_error(401, "InvalidToken"))
    xrpc.post("/com.atproto.repo.createRecord").mock(return_value=xrpc_error(401, "InvalidToken", "Bad token"))

    with pytest.raises(AuthExpired) as caught:
        adapter().publish(content(), key=KEY)

    assert caught.value.message == ("posting: the server refused the credentials (HTTP 401): AuthenticationRequired:"
                                    " Invalid identifier or password; check the handle and the app password")
    assert calls(xrpc) == [("POST", "com.atproto.server.createSession"), CREATE,
                           ("POST", "com.atproto.server.refreshSession"),
                           ("POST", "com.atproto.server.createSession")]


@pytest.mark.parametrize(("reply", "expected", "message"), [
    (xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password"), AuthExpired,
     "posting: the server refused the credentials (HTTP 401): AuthenticationRequired: Invalid identifier or "
     "password; check the handle and the app password"),
    (xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", **{"ratelimit-reset": str(int(time.time()) + 300)}),
     RateLimited, "posting: the server is limiting requests (HTTP 429): RateLimitExceeded: Rate Limit Exceeded"),
    (httpx.ConnectError("connection refused"), Retryable,
     f"posting: the connection to the server failed (ConnectError){SAFE}"),
])
def test_sign_in_failures(xrpc, reply, expected, message):
    xrpc.post("/com.atproto.server.createSession").mock(side_effect=[reply])

    with pytest.raises(ChannelError) as caught:
        adapter().publish(content(), key=KEY)

    assert (type(caught.value), caught.value.message) == (expected, message)
    assert calls(xrpc) == [("POST", "com.atproto.server.createSession")]


# --- uploads -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("reply", "expected", "message"), [
    (xrpc_error(400, "BlobTooLarge", "This file is too large. It is 1.2MB but the maximum size is 1MB."), Rejected,
     "uploading foto.png: the server refused it (HTTP 400): BlobTooLarge: This file is too large. It is 1.2MB "
     "but the maximum size is 1MB."),
    (xrpc_error(500, "InternalServerError"), Retryable,
     "uploading foto.png: the server failed (HTTP 500): InternalServerError; nothing was posted yet"),
    (httpx.ReadTimeout("timed out"), Retryable,
     "uploading foto.png: the server did not answer in time (ReadTimeout); nothing was posted yet"),
])
def test_upload_failures_post_nothing(xrpc, signed_in, tmp_path, reply, expected, message):
    xrpc.post("/com.atproto.repo.uploadBlob").mock(side_effect=[reply])

    with pytest.raises(ChannelError) as caught:
        adapter().publish(content(media=(image_file(tmp_path),)), key=KEY)

    assert (type(caught.value), caught.value.message) == (expected, message)
    assert calls(xrpc) == [("POST", "com.atproto.server.createSession"), ("POST", "com.atproto.repo.uploadBlob")]


def test_a_media_file_changed_since_approval_is_never_sent(xrpc, tmp_path):
    photo = image_file(tmp_path)
    photo.path.write_bytes(photo.read() + b"tampered")

    with pytest.raises(Rejected, match="foto.png: the media file changed since it was approved"):
        adapter().publish(content(media=(photo,)), key=KEY)
    assert xrpc.calls.call_count == 0


@pytest.mark.parametrize(("changes", "message"), [
    ({"text": "ж" * 301}, "the text is 301 of 300 characters \\(602 of 3000 bytes\\)"),
    ({"media": (fake_media("film.mp4", "video/mp4"),)}, "film.mp4: video/mp4 files cannot be posted to Bluesky"),
    ({"media": tuple(fake_media(f"f{n}.png", "image/png") for n in range(5))}, "5 images, at most 4 allowed"),
])
def test_what_cannot_be_posted_is_refused_before_anything_is_sent(xrpc, changes, message):
    with pytest.raises(Rejected, match=message):
        adapter().publish(content(**changes), key=KEY)
    assert xrpc.calls.call_count == 0


# --- check -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("reply", "outcome", "message"), [
    (httpx.Response(200, json={"handle": HANDLE, "did": DID, "active": True}), "ok",
     f"signed in as @{HANDLE}; the session runs until {datetime.fromtimestamp(time.time() + 60 * 86400, UTC):%Y-%m-%d}"
     " and is renewed with the app password"),
    (httpx.Response(200, json={"handle": HANDLE, "did": DID, "active": False, "status": "takendown"}), "refused",
     "the account is takendown"),
    (xrpc_error(403, "AccountTakedown", "Account has been taken down"), "refused",
     "credentials refused: checking the session: the server refused the credentials (HTTP 403): AccountTakedown: "
     "Account has been taken down; check the handle and the app password"),
    (httpx.ConnectError("refused"), "unchecked", "checking the session: the connection to the server failed (ConnectError)"),
])
def test_check(xrpc, signed_in, reply, outcome, message):
    get_session = xrpc.get("/com.atproto.server.getSession").mock(side_effect=[reply])

    health = adapter().check()

    assert (health.outcome, health.message, health.expires_at) == (outcome, message, None)
    assert get_session.calls[0].request.headers["authorization"] == f"Bearer {ACCESS}"


# --- validate ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "expected"), [
    ({"text": "ж" * 300}, []),  # 300 graphemes, 600 bytes
    ({"text": "ж" * 301}, [Problem("Bluesky", "301 of 300 characters", "body")]),
    ({"text": "ж" * 290 + "\r\n" * 10}, []),  # sent as LF: 300
    ({"text": "ж" * 299 + "👨‍👩‍👧"}, []),  # one grapheme
    ({"text": "ж" * 299 + "🇷🇸"}, []),  # a flag is one grapheme
    # links count in full on Bluesky (no 23-character rule)
    ({"text": "ж" * 280 + " https://www.mfa.gov.rs/vesti"},
     [Problem("Bluesky", "309 of 300 characters", "body")]),
    ({"text": ("a" + "\u0301" * 5) * 280}, [Problem("Bluesky", "the text is 3080 of 3000 bytes", "body")]),
    ({"text": " "}, [Problem("Bluesky", "the text is empty", "body")]),
    ({"text": "", "media": (fake_media("foto.png", "image/png"),)}, []),
    ({"media": (fake_media("foto.png", "image/png", alt_text=""),)},
     [Problem("Bluesky", "foto.png: an image needs alt text", "media")]),
    ({"media": (fake_media("foto.jpg", "image/jpeg", size=MAX_IMAGE_BYTES),)}, []),
    ({"media": (fake_media("foto.jpg", "image/jpeg", size=MAX_IMAGE_BYTES + 1),)},
     [Problem("Bluesky", "foto.jpg: 1000001 bytes, at most 1000000 allowed", "media")]),
    ({"media": tuple(fake_media(f"f{n}.webp", "image/webp") for n in range(5))},
     [Problem("Bluesky", "5 images, at most 4 allowed", "media")]),
    ({"media": (fake_media("film.mp4", "video/mp4"),)},
     [Problem("Bluesky", "1 videos, at most 0 allowed", "media"),
      Problem("Bluesky", "film.mp4: video/mp4 files are not accepted", "media")]),
])
def test_validate(changes, expected):
    assert adapter().validate(content(**changes)) == expected


def test_post_text_normalises_line_ends_only():
    assert post_text("а\r\nб\rв\nг") == "а\nб\nв\nг"


# --- settings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("config", "password", "message"), [
    ({"handle": "not a handle"}, PASSWORD, "handle must be the account's handle"),
    ({"handle": HANDLE}, "my-own-account-password", "app_password must be an app password (xxxx-xxxx-xxxx-xxxx)"),
    ({"handle": HANDLE, "service": "http://pds.gov.rs"}, PASSWORD, "service must be the server's https:// address"),
    ({"handle": HANDLE, "service": "https://pds.gov.rs/?token=x"}, PASSWORD, "service must be the server's https://"),
    ({"handle": HANDLE, "timeout": 500}, PASSWORD, "timeout must be a number of seconds from 1 to 120"),
])
def test_bad_settings_are_refused_without_echoing_the_password(config, password, message):
    with pytest.raises(ChannelConfigError) as caught:
        BlueskyChannel(config, {"app_password": password})
    assert message in caught.value.message
    assert password not in str(caught.value)


def test_handles_are_normalised_and_dids_accepted():
    assert repr(BlueskyChannel({"handle": "@Ministarstvo.BSKY.social"}, {"app_password": PASSWORD}, name="B")) == (
        "<BlueskyChannel 'B' handle='ministarstvo.bsky.social'>")
    assert BlueskyChannel({"handle": DID}, {"app_password": PASSWORD.upper()})
    assert BlueskyChannel({"handle": HANDLE, "service": "http://127.0.0.1:2583/xrpc"}, {"app_password": PASSWORD})


def test_registered_under_its_kind():
    assert registry.adapter_class("bluesky") is BlueskyChannel
    assert BlueskyChannel.capabilities().idempotent
