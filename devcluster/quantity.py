"""Kubernetes resource quantities (``100m``, ``64Mi``, ``2``) as numbers and back."""

from __future__ import annotations

import re

_SUFFIX = {
    "": 1.0,
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
}
_RE = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")


def parse(text: str | int | float) -> float:
    """Return the value of a quantity in base units (cores, bytes).

    Raises:
        ValueError: ``text`` is not a quantity.
    """
    if isinstance(text, int | float):
        return float(text)
    m = _RE.match(text.strip())
    if m is None or m.group(2) not in _SUFFIX:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    return float(m.group(1)) * _SUFFIX[m.group(2)]


def cpu(cores: float) -> str:
    """Format cores as kube-apiserver does for CPU (``250m`` or ``2``)."""
    milli = round(cores * 1000)
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def memory(size: float) -> str:
    """Format bytes in binary units (``64Mi``), or ``Ki`` when not a whole MiB."""
    n = int(size)
    for unit, factor in (("Gi", 2**30), ("Mi", 2**20)):
        if n and n % factor == 0:
            return f"{n // factor}{unit}"
    return f"{n // 1024}Ki"
