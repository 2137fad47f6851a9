"""Sales orders: pricing, confirmation with stock reservation, progress to shipment and invoice."""
