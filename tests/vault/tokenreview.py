"""A tiny Kubernetes API stand-in for OpenBao's kubernetes auth: `POST /apis/authentication.k8s.io/v1/tokenreviews`.

It serves HTTPS with a CA made here (OpenBao requires `kubernetes_ca_cert` once
the local service-account CA is disabled), and follows the public TokenReview
API (authentication.k8s.io/v1): the reviewer
authenticates with a bearer token, sends `spec.token`, and gets back
`status.authenticated` with `status.user` (username
`system:serviceaccount:<namespace>:<name>`, uid). Service-account JWTs are
RS256-signed with a key made here, carrying the legacy claims the auth method reads.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class ServiceAccount:
    namespace: str
    name: str
    uid: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def username(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.name}"


def make_jwt(account: ServiceAccount, private_key: Any) -> str:
    """An RS256 service-account token with the claims Kubernetes puts in one."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    header = {"alg": "RS256", "typ": "JWT", "kid": "lcm-test"}
    now = int(time.time())
    claims = {
        "iss": "kubernetes/serviceaccount",
        "sub": account.username,
        "iat": now,
        "exp": now + 3600,
        "kubernetes.io/serviceaccount/namespace": account.namespace,
        "kubernetes.io/serviceaccount/service-account.name": account.name,
        "kubernetes.io/serviceaccount/service-account.uid": account.uid,
        "kubernetes.io/serviceaccount/secret.name": f"{account.name}-token",
    }
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
    signature = private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


def make_tls_files(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca.pem, cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lcm-test kubernetes CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(hours=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(hours=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = (folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM,
                                                serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    return paths


class TokenReviewServer:
    """Answers TokenReviews for the tokens it issued; records every review it received."""

    def __init__(self, reviewer_token: str, tls_folder: Path) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.reviewer_token = reviewer_token
        ca, cert, key = make_tls_files(tls_folder)
        self.ca_pem = ca.read_text()
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.issued: dict[str, ServiceAccount] = {}
        self.reviews: list[dict[str, Any]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._httpd.server_address[1]}"

    def issue(self, account: ServiceAccount) -> str:
        token = make_jwt(account, self.private_key)
        self.issued[token] = account
        return token

    def review(self, body: dict[str, Any]) -> dict[str, Any]:
        spec = body.get("spec") or {}
        account = self.issued.get(spec.get("token", ""))
        status: dict[str, Any] = {"authenticated": account is not None}
        if account is not None:
            status["user"] = {"username": account.username, "uid": account.uid,
                              "groups": ["system:serviceaccounts",
                                         f"system:serviceaccounts:{account.namespace}"]}
            status["audiences"] = spec.get("audiences") or []
        else:
            status["error"] = "token not issued by this cluster"
        return {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                "metadata": {"creationTimestamp": None}, "spec": spec, "status": status}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.reviews.append({"path": self.path, "body": body,
                                       "authorization": self.headers.get("Authorization")})
                if self.path != REVIEW_PATH:
                    return self._send(404, {"kind": "Status", "status": "Failure", "code": 404})
                if self.headers.get("Authorization") != f"Bearer {server.reviewer_token}":
                    return self._send(401, {"kind": "Status", "status": "Failure", "code": 401,
                                            "reason": "Unauthorized"})
                return self._send(201, server.review(body))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> "TokenReviewServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
