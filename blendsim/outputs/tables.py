"""Tables as text: right-aligned columns, percentages and seconds as a planner reads them."""

from __future__ import annotations

import math

__all__ = ["format_table", "pct", "secs"]


def format_table(headers: list[str], rows: list[list[str]],
                 marks: dict[int, str] | None = None) -> str:
    """Right-aligned columns under their headers; ``marks`` adds a note after some rows."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    for n, r in enumerate(rows):
        line = "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True))
        if marks and n in marks:
            line += "  " + marks[n]
        lines.append(line)
    return "\n".join(lines)


def pct(x: float | None, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{100.0 * x:.{digits}f}%"


def secs(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return "inf" if math.isinf(x) else f"{x:.1f}"
