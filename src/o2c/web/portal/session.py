"""Signing in and out of the portal: customers only (form fields `email` and `password`)."""

from __future__ import annotations

from o2c.web.signing_in import sign_in_router

router = sign_in_router(
    "portal",
    "portal/login.html",
    {"area_name": "Customer portal", "home_url": "/portal/", "nav": (), "user_name": ""},
)
