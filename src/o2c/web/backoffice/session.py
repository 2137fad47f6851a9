"""Signing in and out of the back office: staff only (form fields `email` and `password`)."""

from __future__ import annotations

from o2c.web.signing_in import sign_in_router

router = sign_in_router("app", "backoffice/login.html", {"area_name": "Back office"})
