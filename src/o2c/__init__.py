"""o2c: order-to-cash and accounts-receivable automation."""

__version__ = "0.1.0"
