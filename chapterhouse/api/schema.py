"""The OpenAPI schema's account of errors, for every operation.

drf-spectacular documents what a view returns when it succeeds; DRF answers every
endpoint's bad input (400), missing or wrong token (401), refusal (403), unknown
object or page (404) and throttling (429) the same way, with a JSON body. This hook
(SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) documents those answers on every
operation, so a client (and the schemathesis run in CI) knows every status code
it can get, and states that request bodies take no fields but those listed.
"""

from __future__ import annotations

from typing import Any

_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
_ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("The request was refused: each field with its messages, `non_field_errors`, "
            "or `detail`.", {"$ref": "#/components/schemas/ValidationErrors"}),
    "401": ("No valid credentials were given.", _DETAIL),
    "403": ("You may not do this.", _DETAIL),
    "404": ("There is no such object or page, or you may not see it.", _DETAIL),
    "429": ("Too many requests: try again later.", _DETAIL),
}
_SCHEMAS = {
    "ErrorDetail": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "additionalProperties": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {}}, {"type": "object"}],
        },
    },
}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool
                    ) -> dict[str, Any]:
    """Add the error answers to every operation, and close request bodies to
    unknown fields (the API refuses them)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.update(_SCHEMAS)
    bodies: set[str] = set()
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, (description, schema) in _ERRORS.items():
                responses.setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": schema}},
                })
            for media in operation.get("requestBody", {}).get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                if ref.startswith("#/components/schemas/"):
                    bodies.add(ref.rsplit("/", 1)[1])
    for name in bodies:
        schema = components.get(name)
        if isinstance(schema, dict) and schema.get("type") == "object":
            schema.setdefault("additionalProperties", False)
    return result
