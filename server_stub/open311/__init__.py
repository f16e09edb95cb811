"""Open311 GeoReport v2 on the hotline server (R32.1): the standard interface other platforms
(FixMyStreet, SeeClickFix, a province's 311 system) already speak.

- `routes.py`   the endpoints, under `/open311/v2`, JSON and XML
- `mapping.py`  matters as services, tickets as service requests, and what the public may see
- `intake.py`   POST requests: a partner's request registered as a ticket, through `ingest`
- `queries.py`  the GET requests filters (date range, service, status) in SQL both engines run
- `formats.py`  the two wire formats and the spec's error body
"""

from .routes import router

__all__ = ["router"]
