"""Subscriptions and recurring billing: plans, periods, proration, the billing run."""
