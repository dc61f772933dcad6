"""Review over HTTP, for scripts and the audit trail (the /review page saves through the same functions).

GET  /api/review/<figure_id>   the figure, its current review and version, and (for reviewers) a CSRF token
POST /api/review               JSON {figure_id, action: accept|reject|duplicate|correct, version, values, note},
                               header X-CSRF-Token. 200 {review}; 409 {error, current} when someone saved the
                               figure since `version`; 403 not a reviewer or bad token; 400 bad input; 404.
GET  /api/reviews              every review change, newest first (format=json|csv, limit)
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from dashboard import review, sql_sandbox
from dashboard.api import _csv, _error
from etl.review.export import COLUMNS, audit_rows


def register(server, settings, reader) -> None:
    bp = Blueprint("displacement_review_api", __name__, url_prefix="/api")

    @bp.get("/review/<figure_id>")
    def get_review(figure_id):
        fig = review.figure(reader, figure_id[:64])
        if fig is None:
            return _error(f"no figure {figure_id!r}", 404)
        current = review.current(settings, fig)
        who = review.reviewer(settings)
        body = {k: sql_sandbox.plain(v) for k, v in fig.items() if k not in ("key", "original")}
        response = jsonify(figure=body, original=fig["original"], review=current,
                           version=current["version"] if current else 0, reviewer=who,
                           token=review.csrf_token(settings, who) if who else None)
        response.headers["Cache-Control"] = "no-store"
        return response

    @bp.post("/review")
    def post_review():
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return _error("send a JSON object: figure_id, action, version, values, note", 400)
        try:
            who = review.check(settings, request.headers.get("X-CSRF-Token"))
            saved = review.save(settings, reader, who, payload.get("figure_id"), payload.get("action"),
                                payload.get("version"), payload.get("values") or {}, payload.get("note"))
        except review.ReviewDenied as exc:
            return _error(str(exc), 403)
        except review.Conflict as exc:
            return _error(str(exc), 409, current=exc.current)
        except review.ReviewError as exc:
            return _error(str(exc), 400)
        except LookupError as exc:
            return _error(str(exc), 404)
        return jsonify(review=saved)

    @bp.get("/reviews")
    def reviews():
        limit = request.args.get("limit", "")
        rows = audit_rows(settings.review_path, int(limit) if limit.isdigit() else None)
        if request.args.get("format") == "csv":
            return _csv(list(COLUMNS), [[r[c] for c in COLUMNS] for r in rows], False, "reviews.csv")
        return jsonify(changes=rows, count=len(rows))

    server.register_blueprint(bp)
