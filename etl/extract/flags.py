"""What the extractor guessed about a figure, as flags the review queue ranks by.

Flags set here: `vague_amount` (no exact number: "thousands", "tens of thousands"), `unit_guess` (no counted noun
after the number, so "people" is assumed), `metric_guess` (no metric cue within a few words of the number).
The attribution and place stages add their own (`carried_source`, `generic_source`, `place_from_context`).
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
    return out
