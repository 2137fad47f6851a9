"""Outgoing mail: a transactional outbox of mails, SMTP delivery, and Jinja2 mail templates."""
