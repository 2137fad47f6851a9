"""The customer self-service portal (`/portal/`): a customer's own invoices, payments,
disputes, promises, orders and messages to AR, behind a portal sign-in."""
