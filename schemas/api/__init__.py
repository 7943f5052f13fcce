"""Wire formats of our own REST API (``/api/v1``).

Request bodies and query strings are ``StrictSchema``s: unknown fields are refused (422). Value
rules (title lengths, country eligibility, dates) stay in the domain, so the local hub and the
HTTP connector refuse exactly the same things; these schemas check types and presence only.

Response schemas (``ModelSchema``) dump the domain dataclasses and, on ``load``, build them back
(used by ``connectors.http_hub.HttpHubConnector``); they ignore unknown fields so that an older
client can talk to a newer hub.
"""
