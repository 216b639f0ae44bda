"""Test helpers shared by the unit and integration suites (local stand-ins for remote services)."""
