"""Tests of outgoing mail: outbox, SMTP delivery, templates, printed documents."""
