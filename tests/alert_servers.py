"""Local stand-ins for the services alerts go to: an HTTP endpoint that records requests and an SMTP server."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


Answer = tuple[int, dict[str, str], bytes]


class HookServer:
    """Records each POST; ``answer(n, request)`` (n counts from 0) says what to reply (default 200 {"errcode":0})."""

    def __init__(self, answer: Callable[[int, Request], Answer] | None = None, delay: float = 0.0, port: int = 0):
        self.requests: list[Request] = []
        self.answer = answer or (lambda n, r: (200, {"Content-Type": "application/json"}, b'{"errcode":0,"code":0,"errmsg":"ok"}'))
        self.delay = delay
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urlsplit(self.path)
                req = Request(parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                with server._lock:
                    n = len(server.requests)
                    server.requests.append(req)
                if server.delay:
                    time.sleep(server.delay)
                status, headers, reply = server.answer(n, req)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "HookServer":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    """aiosmtpd on 127.0.0.1 accepting any mail (AUTH LOGIN/PLAIN with ``user``/``password`` if given)."""

    def __init__(self, user: str | None = None, password: str | None = None, *, tls: str = "none",
                 cert: tuple[Path, Path] | None = None):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[Any] = []
        self.logins: list[str] = []
        server = self

        class Handler:
            async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                server.envelopes.append(envelope)
                server.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
                return "250 OK"

        def authenticator(smtp: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            if ok:
                server.logins.append(auth_data.login.decode())
            return AuthResult(success=ok)

        kwargs: dict[str, Any] = {}
        if user is not None:
            kwargs = {"authenticator": authenticator, "auth_require_tls": tls == "starttls"}
        if tls != "none":
            assert cert is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, cert))
            kwargs |= {"ssl_context": context} if tls == "ssl" else {"tls_context": context, "require_starttls": True}
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> "MailServer":
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for 127.0.0.1, self-signed: the certificate is its own CA."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file
