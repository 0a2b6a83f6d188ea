"""An offline API page rendered from the OpenAPI schema.

FastAPI's Swagger UI loads its script and style from a CDN, which a local,
offline tool must not do; this page lists the same endpoints and schemas as
plain HTML, and links to ``/openapi.json`` for tools that want the schema.
"""

from __future__ import annotations

from html import escape
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


def render_docs(spec: dict[str, Any]) -> str:
    """The page: one table of endpoints, then each schema's fields."""
    info = spec.get("info", {})
    rows = []
    for path, operations in spec.get("paths", {}).items():
        for method in METHODS:
            op = operations.get(method)
            if op is None:
                continue
            params = ", ".join(
                f"{p['name']} ({p.get('in', '')}{', required' if p.get('required') else ''})"
                for p in op.get("parameters", [])
            )
            body = _body_name(op.get("requestBody"))
            codes = ", ".join(sorted(op.get("responses", {})))
            rows.append(
                f"<tr><td><code>{method.upper()}</code></td><td><code>{escape(path)}</code></td>"
                f"<td>{escape(op.get('summary', ''))}</td><td>{escape(params)}</td>"
                f"<td>{escape(body)}</td><td>{escape(codes)}</td></tr>"
            )
    schemas = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", []))
        fields = "".join(
            f"<li><code>{escape(field)}</code>{' (required)' if field in required else ''}: "
            f"{escape(_type_of(prop))}{_describe(prop)}</li>"
            for field, prop in schema.get("properties", {}).items()
        )
        doc = f"<p>{escape(schema['description'])}</p>" if schema.get("description") else ""
        schemas.append(
            f'<section><h3 id="{escape(name)}">{escape(name)}</h3>{doc}<ul>{fields}</ul></section>'
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(info.get('title', 'API'))} API</title>"
        '<link rel="stylesheet" href="/static/app.css"></head><body class="docs">'
        f"<h1>{escape(info.get('title', 'API'))} {escape(str(info.get('version', '')))} — HTTP API</h1>"
        f"<p>{escape(info.get('description', ''))}</p>"
        '<p>The machine-readable schema is <a href="/openapi.json">/openapi.json</a> (OpenAPI '
        f"{escape(str(spec.get('openapi', '')))}). Errors answer with an <code>ApiError</code> body. "
        '<a href="/">Back to the app</a>.</p>'
        "<table><thead><tr><th>Method</th><th>Path</th><th>What</th><th>Parameters</th><th>Body</th>"
        f"<th>Answers</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<h2>Schemas</h2>{''.join(schemas)}</body></html>"
    )


def _body_name(body: dict[str, Any] | None) -> str:
    if not body:
        return ""
    return ", ".join(
        f"{kind}: {_type_of(media.get('schema', {}))}" for kind, media in body.get("content", {}).items()
    )


def _type_of(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " or ".join(_type_of(p) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return f"list of {_type_of(prop.get('items', {}))}"
    if "enum" in prop:
        return "one of " + ", ".join(str(v) for v in prop["enum"])
    if "const" in prop:
        return repr(prop["const"])
    return str(prop.get("type", "any"))


def _describe(prop: dict[str, Any]) -> str:
    bits = [
        f"{key} {prop[key]}"
        for key in ("minimum", "maximum", "maxLength", "maxItems", "pattern")
        if key in prop
    ]
    if "default" in prop:
        bits.append(f"default {prop['default']!r}")
    text = f" — {prop['description']}" if prop.get("description") else ""
    return escape(text + (f" ({'; '.join(bits)})" if bits else ""))
