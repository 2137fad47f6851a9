"""Credit: the decisions between a customer and new orders. Today, credit holds.

A hold stops new orders from being confirmed until it is released. Collections places holds
as a strategy step; credit managers place and release them by hand. Credit sits below
orders: orders asks `credit.service.require_no_hold` when it confirms.
"""
