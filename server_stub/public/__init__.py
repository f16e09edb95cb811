"""The public page and its typical cases (issue 15; R17.1, R37.1): `router` serves both."""

from .routes import router

__all__ = ["router"]
