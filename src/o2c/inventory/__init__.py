"""Stock by warehouse: physical moves, on-hand quantities and reservations for open orders."""
