"""The `/v1` routers, one resource each; `create_app` includes them all."""

from __future__ import annotations

from fastapi import APIRouter

from .. import open311, public
from . import admin, events, health, kb, lookup, rate_tickets, rates, risks, tickets, triage_field

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    admin.router,
    events.router,
    tickets.router,
    kb.router,
    lookup.router,
    open311.router,
    risks.router,
    rates.router,
    rate_tickets.router,
    triage_field.router,
    public.router,
)
