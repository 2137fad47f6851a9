"""Storage plumbing shared by every domain: engine, declarative base, unit of work, outbox."""
