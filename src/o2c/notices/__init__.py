"""Notices: the e-mails that tell customers (and staff) what happened to their orders.

Order confirmation, backorder notice, shipment with carrier and tracking, delivery
confirmation, return received and return credited go to the customer in its language; a
credit hold on an order goes to the company's staff address. They are sent by a job that
reads the domain events of the transactional outbox, so the domains that publish them know
nothing of mail, and each event is notified once.
"""
