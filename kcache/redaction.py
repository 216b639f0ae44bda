"""Masking credentials in free text (tool output, a server's stderr)."""

from __future__ import annotations

import re

# Credentials that free text may carry (a kubeconfig's token, a password in a log line).
_CREDENTIAL = re.compile(
    r"(?i)\b(token|password|passwd|secret|api[_-]?key|client-key-data|client-certificate-data|"
    r"certificate-authority-data)(\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|\S+)"
)


def redact(text: str) -> str:
    """Mask values that follow credential-like keys in free text."""
    return _CREDENTIAL.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
