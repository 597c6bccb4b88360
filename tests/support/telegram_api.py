"""A stand-in for the Telegram Bot API on 127.0.0.1.

    with FakeBotApi(TOKEN) as api:
        api.script(["429", "ok"])              # the next two requests: rate limited, then fine
        adapter = Telegram({"chat_id": "@ministarstvo", "api_base": api.base_url}, {"bot_token": TOKEN})
        ...
        api.requests                            # every request, as BotRequest (form and files parsed)
        api.posted                              # the messages it "posted", in order

Requests go to /bot<token>/<method>; another token gets 401 like the real API. Multipart bodies are
parsed with werkzeug's form parser, independently of how requests encoded them.

Behaviours, one per request in arrival order; "ok" once the script runs out:

    "ok"                answer like Telegram: sendMessage/sendPhoto/sendVideo one Message, sendMediaGroup
                        a list of them; getMe, getChat, getChatMember the bot, the channel, an admin
    "ok-no-result"      post the message, answer {"ok": true} without a result
    "member"            getChatMember answers status "member" (for a channel: may not post)
    "429"               {"ok":false,"error_code":429,"parameters":{"retry_after":7}}
    "401", "403", "404" Telegram's errors for a revoked token, a bot kicked from the channel, a bad path
    "400"               "Bad Request: message caption is too long"
    "400-chat"          "Bad Request: chat not found"
    "500", "502-html"   a server error (JSON), a proxy's HTML error page; the message IS posted first
                        (the dangerous case: Telegram acted, the answer says otherwise)
    "garbage", "empty"  200 with a non-JSON body / with no body; the message is posted
    "hang"              post the message, then wait `hang_seconds` before answering
    "drop-before-body"  close the connection without reading the request; nothing is posted
    "drop-after-body"   read the request, post the message, close without answering
"""

from __future__ import annotations

import io
import json
import socket
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from werkzeug.formparser import parse_form_data

BEHAVIOURS = frozenset({
    "ok", "ok-no-result", "member", "429", "401", "403", "404", "400", "400-chat", "500", "502-html",
    "garbage", "empty", "hang", "drop-before-body", "drop-after-body",
})
CHANNEL_ID = -1001234567890
BOT_ID = 7000001
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendVideo", "sendMediaGroup"})

_ERRORS: dict[str, tuple[int, dict[str, Any]]] = {
    "429": (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
                  "parameters": {"retry_after": 7}}),
    "401": (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}),
    "403": (403, {"ok": False, "error_code": 403,
                  "description": "Forbidden: bot is not a member of the channel chat"}),
    "404": (404, {"ok": False, "error_code": 404, "description": "Not Found"}),
    "400": (400, {"ok": False, "error_code": 400, "description": "Bad Request: message caption is too long"}),
    "400-chat": (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}),
    "500": (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
}


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class BotRequest:
    method: str  # the HTTP method
    path: str
    token: str
    api_method: str  # sendMessage, sendPhoto, ...
    headers: dict[str, str]
    body: bytes | None
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)
    behaviour: str = "ok"


class FakeBotApi:
    def __init__(self, token: str, *, hang_seconds: float = 3.0, username: str = "ministarstvo") -> None:
        self.token = token
        self.hang_seconds = min(hang_seconds, 10.0)
        self.username = username
        self._lock = threading.Lock()
        self._script: deque[str] = deque()
        self._requests: list[BotRequest] = []
        self._posted: list[dict[str, Any]] = []
        self._next_id = 100
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    def __enter__(self) -> FakeBotApi:
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.api = self
        self._server = server
        self._port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def script(self, behaviours: Iterable[str]) -> None:
        behaviours = list(behaviours)
        unknown = sorted(set(behaviours) - BEHAVIOURS)
        if unknown:
            raise ValueError(f"unknown behaviour(s): {unknown}")
        with self._lock:
            self._script = deque(behaviours)

    @property
    def requests(self) -> list[BotRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def posted(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._posted)

    # --- used by the handler ---

    def _next(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else "ok"

    def _record(self, request: BotRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _post(self, request: BotRequest) -> list[dict[str, Any]]:
        """Store the message(s) a send* request asks for; the Message objects Telegram would return."""
        if request.api_method == "sendMediaGroup":
            items = json.loads(request.form.get("media", "[]"))
            kinds = [item["type"] for item in items]
            captions = [item.get("caption") for item in items]
        elif request.api_method == "sendMessage":
            kinds, captions = ["text"], [(request.json or {}).get("text")]
        else:
            kinds = ["photo" if request.api_method == "sendPhoto" else "video"]
            captions = [request.form.get("caption")]
        messages = []
        with self._lock:
            for kind, caption in zip(kinds, captions, strict=True):
                self._next_id += 1
                message: dict[str, Any] = {
                    "message_id": self._next_id,
                    "chat": {"id": CHANNEL_ID, "type": "channel", "title": "Министарство", "username": self.username},
                    "date": 1740820000,
                }
                if kind == "text":
                    message["text"] = caption
                else:
                    message[kind] = [{"file_id": f"f{self._next_id}"}] if kind == "photo" else {"file_id": "v"}
                    if caption is not None:
                        message["caption"] = caption
                if request.api_method == "sendMediaGroup":
                    message["media_group_id"] = "1300"
                self._posted.append(message)
                messages.append(message)
        return messages


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: FakeBotApi


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeBotApi/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        api = self.server.api
        behaviour = api._next()
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = self.path.split("?", 1)[0]
        _, _, rest = path.partition("/bot")
        token, _, api_method = rest.partition("/")
        request = BotRequest(self.command, self.path, token, api_method, headers, None, behaviour=behaviour)
        if behaviour == "drop-before-body":
            api._record(request)
            return self._drop()
        request.body = self.rfile.read(int(headers.get("content-length") or 0))
        self._parse(request)
        api._record(request)

        if token != api.token:
            return self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if behaviour in _ERRORS and behaviour != "500":
            return self._json(*_ERRORS[behaviour])
        sending = api_method in SEND_METHODS
        messages = api._post(request) if sending else []
        if behaviour == "drop-after-body":
            return self._drop()
        if behaviour == "hang":
            api._stopping.wait(api.hang_seconds)
        if behaviour == "500":
            return self._json(*_ERRORS["500"])
        if behaviour == "502-html":
            return self._send(502, "text/html", b"<html><body><h1>502 Bad Gateway</h1></body></html>")
        if behaviour == "garbage":
            return self._send(200, "text/html", b"<html>hello</html>")
        if behaviour == "empty":
            return self._send(200, "application/json", b"")
        if behaviour == "ok-no-result":
            return self._json(200, {"ok": True})
        if sending:
            result: Any = messages if api_method == "sendMediaGroup" else messages[0]
        elif api_method == "getMe":
            result = {"id": BOT_ID, "is_bot": True, "first_name": "Publisher", "username": "ministry_publisher_bot"}
        elif api_method == "getChat":
            result = {"id": CHANNEL_ID, "type": "channel", "title": "Министарство", "username": api.username}
        elif api_method == "getChatMember":
            if behaviour == "member":
                result = {"status": "member", "user": {"id": BOT_ID, "is_bot": True}}
            else:
                result = {"status": "administrator", "can_post_messages": True, "user": {"id": BOT_ID, "is_bot": True}}
        else:
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        self._json(200, {"ok": True, "result": result})

    def _parse(self, request: BotRequest) -> None:
        content_type = request.headers.get("content-type", "")
        body = request.body or b""
        if content_type.startswith("application/json"):
            request.json = json.loads(body)
        elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            environ = {
                "REQUEST_METHOD": "POST",
                "CONTENT_TYPE": content_type,
                "CONTENT_LENGTH": str(len(body)),
                "wsgi.input": io.BytesIO(body),
            }
            _, form, files = parse_form_data(environ)
            request.form = {k: form[k] for k in form}
            request.files = {
                k: Upload(files[k].filename or "", files[k].content_type or "", files[k].read()) for k in files
            }

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, "application/json", json.dumps(payload, ensure_ascii=False).encode())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


__all__ = ["BOT_ID", "CHANNEL_ID", "BotRequest", "FakeBotApi", "Upload"]
