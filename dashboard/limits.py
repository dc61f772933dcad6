"""What one request may send and what a bad request gets back: a size limit, a check of Dash callback bodies,
and one-line errors (never a traceback, in the answer or the log) for anything the client got wrong."""

from __future__ import annotations

import logging

from flask import jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

log = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"


def install(app, settings) -> None:
    """Add the limits to the Dash app's Flask server."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = int(settings.max_request_bytes)  # larger bodies: 413 before reading

    @server.before_request
    def _check_body():
        if (request.content_length or 0) > server.config["MAX_CONTENT_LENGTH"]:
            raise RequestEntityTooLarge(f"the request body is larger than {server.config['MAX_CONTENT_LENGTH']:,}"
                                        " bytes")
        if request.method != "POST" or request.path != CALLBACK_PATH:
            return None
        body = request.get_json(silent=True)  # None when it is not JSON (a chunked body past the limit: 413)
        problem = callback_problem(body, app.callback_map)
        return _one_line(f"malformed callback request: {problem}", 400) if problem else None

    @server.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return _one_line(exc.description.split(". ")[0].rstrip(".") if exc.description else exc.name, exc.code)

    @server.errorhandler(Exception)
    def _server_error(exc: Exception):
        log.error("%s %s failed: %s: %s", request.method, request.path, type(exc).__name__,
                  str(exc).splitlines()[0][:300] if str(exc) else "")
        log.debug("traceback", exc_info=exc)
        return _one_line("the server could not answer this request", 500)


def callback_problem(body, callback_map) -> str | None:
    """What is wrong with a Dash callback request body, or None when it has the shape Dash expects."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "unknown output"
    for key in ("inputs", "state"):
        items = body.get(key, [])
        if not isinstance(items, list) or not all(_is_prop(i) for i in items):
            return f"{key!r} must be a list of {{id, property, value}}"
    if not isinstance(body.get("changedPropIds", []), list):
        return "'changedPropIds' must be a list"
    return None


def _is_prop(item) -> bool:
    if isinstance(item, list):  # pattern-matching callbacks send lists of props
        return all(_is_prop(i) for i in item)
    return isinstance(item, dict) and "id" in item and isinstance(item.get("property"), str)


def _one_line(message: str, status: int):
    response = jsonify(error=message, status=status)
    response.status_code = status
    return response
