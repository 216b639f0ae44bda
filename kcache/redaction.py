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


_CREDENTIAL_KEY = re.compile(r"(?i)token|password|passwd|secret|api[_-]?key|credential|literal|data$")


def redact_args(args: dict[str, object]) -> dict[str, object]:
    """Tool arguments safe to record: credential-like keys masked, free text redacted."""
    out: dict[str, object] = {}
    for key, value in args.items():
        if _CREDENTIAL_KEY.search(key) and value not in (None, "", [], {}):
            out[key] = "***"
        elif isinstance(value, str):
            out[key] = redact(value)
        else:
            out[key] = value
    return out
