"""Simulated Meta webhook traffic from French bank customers (``tandem simulate``).

Layers, each usable alone:

* ``texts`` (with ``corpus`` and ``sensitive``): French messages and comments, a configurable
  share carrying valid IBANs, card numbers, codes… with their offsets;
* ``traffic`` (with ``conversations``, ``makers``, ``shapes``): a deterministic stream of signed
  webhook deliveries, each with the idempotency keys Tandem must derive from it;
* ``runner``: sends a stream to a URL at a target rate, retrying like Meta, and reports;
* ``accounts``: which of the bank's Pages, Instagram accounts and WhatsApp numbers to address.
"""
