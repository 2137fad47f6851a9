"""The id of the HTTP request (or job) being served, readable by logs and audit records.

It lives in the kernel, not in `app`, so that the audit trail (in `security`) can name the
request a change came from without importing the composition root.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("o2c_request_id", default=None)
