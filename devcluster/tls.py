"""Certificates for ``devcluster serve --tls``.

A fresh self-signed CA signs a server certificate for the bound address (and
``localhost``); the CA goes into the kubeconfig as ``certificate-authority-data``, so
kubectl, client-go and the Python client verify the server as they would a real one. With
TLS on, every request must carry ``Authorization: Bearer <token>`` (devcluster/auth.py): as on
kube-apiserver, a missing token is anonymous and may read only the health and version
endpoints, and a wrong token is a 401 ``Status`` everywhere.
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")
_VALIDITY = datetime.timedelta(days=365)


@dataclass(frozen=True)
class Credentials:
    """Files uvicorn serves with, and the CA certificate clients trust."""

    cert_file: Path
    key_file: Path
    ca_pem: bytes
    token: str


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _san(host: str) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        names.append(x509.DNSName(host))
    if host != "127.0.0.1":
        names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    return x509.SubjectAlternativeName(names)


def issue(host: str, directory: Path | None = None, token: str | None = None) -> Credentials:
    """Create a CA and a server certificate for ``host`` in ``directory`` (a new temp dir if None)."""
    folder = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="devcluster-tls-"))
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("devcluster-ca"))
        .issuer_name(_name("devcluster-ca"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("devcluster"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _VALIDITY)
        .add_extension(_san(host), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_file = folder / "server.crt"
    key_file = folder / "server.key"
    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + ca_pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    (folder / "ca.crt").write_bytes(ca_pem)
    return Credentials(cert_file, key_file, ca_pem, token or secrets.token_urlsafe(24))
