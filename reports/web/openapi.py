"""The OpenAPI 3.1 description of the read API (``/api/v1/openapi.json``, #20)."""

from __future__ import annotations

from typing import Any


def _param(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "in": "query", "schema": schema}
    if schema.get("type") == "array":
        out["explode"] = True
    if description:
        out["description"] = description
    return out


_TEXT = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
_FILTERS: list[dict[str, Any]] = [
    _param("kind", {"type": "array", "items": _TEXT}, "press, pingback, trackback, ..."),
    _param("query", _TEXT, "a watch query's name"),
    _param("source", _TEXT, "a site (host)"),
    _param("since", _DATE),
    _param("until", _DATE, "inclusive"),
    _param("lang", _TEXT),
    _param(
        "state", {"type": "array", "items": {"enum": ["new", "relevant", "irrelevant", "spam"]}}
    ),
    _param("q", _TEXT, 'full-text search: words, "phrases", prefix*'),
    _param("cursor", _TEXT, "next_cursor of the page before"),
    _param("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
]

_ERRORS = {
    "400": {"description": "a bad filter or an altered cursor"},
    "401": {"description": "no token, or a revoked one"},
}


def openapi_document(server: str) -> dict[str, Any]:
    """The document, with ``server`` as the base URL."""
    ok = {"description": "OK", "content": {"application/json": {}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "mediamon read API", "version": "1"},
        "servers": [{"url": server}],
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "security": [{"token": []}],
        "paths": {
            "/api/v1/mentions": {
                "get": {
                    "summary": "Finds, newest first, filtered as in the inbox",
                    "parameters": _FILTERS,
                    "responses": {"200": ok, **_ERRORS},
                }
            },
            "/api/v1/posts": {
                "get": {
                    "summary": "Our posts with linkback counts by kind",
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": ok, **_ERRORS},
                }
            },
            "/api/v1/posts/{id}/linkbacks": {
                "get": {
                    "summary": "One post's linkbacks and comments",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {"200": ok, "404": {"description": "no such post"}, **_ERRORS},
                }
            },
            "/feeds/mentions.atom": {
                "get": {
                    "summary": "The newest finds as an Atom feed (token as ?token=)",
                    "parameters": [
                        {"name": "token", "in": "query", "schema": {"type": "string"}},
                        *_FILTERS[:-2],
                    ],
                    "responses": {"200": {"description": "Atom 1.0"}, **_ERRORS},
                }
            },
        },
    }
