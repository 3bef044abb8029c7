"""Draws `make bench`'s full-delivery figures as an SVG bar chart (standard library only).

One group of bars per language, in deliveries per second (higher is better): the SDK, the
language's best alternative with the key parsed once, and the documentation's snippet (the key
parsed on every call). For Rust the alternative is `openssl speed ecdsap256`'s verify alone (no
envelope, no base64, no JSON), and there is no snippet.
"""

from __future__ import annotations

from html import escape
from typing import Any

# (series label, colour)
SERIES = [
    ("palisade-webhooks: full delivery (Go: with the typed resource)", "#2b6cb0"),
    ("the language's best, key parsed once (Rust: OpenSSL verify alone)", "#718096"),
    ("the documentation's snippet: key parsed on every call", "#dd6b20"),
]

# (group label, results key, figure key per series; None: no such bar)
GROUPS: list[tuple[str, str, list[str | None]]] = [
    ("Rust", "rust", ["verify_fast_us", "openssl", None]),
    ("Python", "python", ["sdk_verify_us", "cryptography_us", "docs_snippet_us"]),
    ("Node.js", "node", ["sdk_verify_us", "crypto_keyobject_us", "crypto_create_per_call_us"]),
    ("Go", "go", ["sdk_verify_typed_us", "crypto_ecdsa_us", "docs_snippet_us"]),
]

WIDTH, HEIGHT = 860, 470
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 118, 56


def _rate(results: dict[str, Any], lang: str, key: str | None) -> float | None:
    """Deliveries per second for one bar, or None when the figure was not measured."""
    if key is None:
        return None
    if key == "openssl":
        us = results.get("openssl", {}).get("verify_us")
    else:
        us = results.get(lang, {}).get(key)
    return 1e6 / us if us else None


def _nice_ceiling(value: float) -> tuple[float, float]:
    """A round axis maximum at or above `value`, and its grid step."""
    for step in (1_000, 2_000, 5_000, 10_000, 20_000, 25_000, 50_000, 100_000):
        if value / step <= 8:
            top = step * -(-value // step)
            return top, step
    return value, value / 5


def bench_chart(results: dict[str, Any], title_date: str) -> str:
    """The SVG text of the chart for one `make bench` run's results."""
    groups = [(label, [_rate(results, lang, k) for k in keys]) for label, lang, keys in GROUPS
              if lang in results]
    peak = max((r for _, rates in groups for r in rates if r), default=1.0)
    top, step = _nice_ceiling(peak * 1.12)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(groups), 1)
    bar_w = min(56.0, group_w / (len(SERIES) + 1.2))

    def y(rate: float) -> float:
        return TOP + plot_h * (1 - rate / top)

    rounds = results.get("rounds", "?")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Helvetica, Arial, sans-serif" '
        'font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="24" font-size="16" font-weight="bold">Deliveries verified per '
        'second, one thread (higher is better)</text>',
        f'<text x="{LEFT}" y="42" fill="#4a5568">A ~2 KB TRANSACTION delivery; make bench, '
        f'{escape(title_date)}, medians of {rounds} interleaved rounds on a shared 2-core '
        'machine.</text>',
    ]
    for i, (label, colour) in enumerate(SERIES):
        ly = 60 + 17 * i
        out.append(f'<rect x="{LEFT}" y="{ly}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{LEFT + 18}" y="{ly + 10}">{escape(label)}</text>')
    # Grid and axis.
    tick = 0.0
    while tick <= top + 1e-9:
        ty = y(tick)
        out.append(f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" '
                   f'stroke="{"#a0aec0" if tick == 0 else "#e2e8f0"}"/>')
        out.append(f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" text-anchor="end" '
                   f'fill="#4a5568">{tick / 1000:.0f}k</text>')
        tick += step
    out.append(f'<text x="16" y="{TOP + plot_h / 2:.0f}" fill="#4a5568" '
               f'transform="rotate(-90 16 {TOP + plot_h / 2:.0f})" text-anchor="middle">'
               'deliveries / s</text>')
    for g, (label, rates) in enumerate(groups):
        present = [(i, r) for i, r in enumerate(rates) if r]
        x0 = LEFT + g * group_w + (group_w - len(present) * bar_w) / 2
        ours = rates[0]
        for slot, (i, rate) in enumerate(present):
            x = x0 + slot * bar_w
            by = y(rate)
            out.append(f'<rect x="{x + 2:.1f}" y="{by:.1f}" width="{bar_w - 4:.1f}" '
                       f'height="{TOP + plot_h - by:.1f}" fill="{SERIES[i][1]}"/>')
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{by - 5:.1f}" text-anchor="middle">'
                       f'{rate / 1000:.1f}k</text>')
            if i > 0 and ours:
                # How many times faster the SDK is than this bar.
                out.append(f'<text x="{x + bar_w / 2:.1f}" y="{by - 19:.1f}" '
                           f'text-anchor="middle" fill="#2b6cb0" font-weight="bold">'
                           f'{ours / rate:.1f}x</text>')
        out.append(f'<text x="{LEFT + (g + 0.5) * group_w:.1f}" y="{TOP + plot_h + 22}" '
                   f'text-anchor="middle" font-size="14" font-weight="bold">'
                   f'{escape(label)}</text>')
    out.append(f'<text x="{LEFT}" y="{HEIGHT - 10}" fill="#4a5568">Blue: how many times faster '
               'palisade-webhooks is than that bar. Full delivery: raw body + headers in, '
               'verified event out.</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
