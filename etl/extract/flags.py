"""What the extractor guessed about a figure, as flags the review queue ranks by.

Flags set here, from the finished figure only: `vague_amount` (no exact number: "thousands"), `unit_guess` (no
counted noun after the number, so "people" is assumed), `metric_guess` (no metric cue within a few words of the
number), `carried_source` (the source is not named in the figure's sentence), `generic_source` (a source with no
organisation: "officials", "activists"), `place_from_context` (the place is not named in the figure's sentence).
The attribution and place stages may set the last three themselves; a flag is never listed twice.
"""

from __future__ import annotations

from etl.extract import metrics

NEAR = 40  # characters either side of the number where a metric cue counts as "next to it"
COUNTED = metrics.PEOPLE | metrics.HOUSEHOLDS | metrics.HOUSES


def guesses(text: str, q, noun: str | None, fig: dict) -> list[str]:
    out = []
    if q.vague or fig["qualifier"] == "vague":
        out.append("vague_amount")
    if (noun or "").lower() not in COUNTED:
        out.append("unit_guess")
    after = metrics.metric_after(text, q.end, min(len(text), q.end + NEAR))
    before = metrics.metric_before(text, max(0, q.start - NEAR), q.start)
    if fig["metric"] not in {m[0] for m in (after, before) if m}:
        out.append("metric_guess")
    sentence = (fig.get("evidence") or "").lower()
    if fig.get("claimed_by") and fig["claimed_by"].lower() not in sentence:
        out.append("carried_source")
    if fig.get("claimed_by") and not fig.get("claimed_by_org"):
        out.append("generic_source")
    if fig.get("location_text") and fig["location_text"].lower() not in sentence:
        out.append("place_from_context")
    return [flag for flag in out if flag not in (fig.get("flags") or [])]
