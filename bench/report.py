#!/usr/bin/python3
"""Turns scripts/bench.sh results into Markdown tables and an SVG plot.

Usage: /usr/bin/python3 bench/report.py WORK_DIR
Reads WORK_DIR/results.jsonl and WORK_DIR/normalize_bench.json (if present);
writes WORK_DIR/report.md and WORK_DIR/benchmarks-scaling.svg. Standard
library only, so it runs wherever /usr/bin/python3 does.
"""
import json
import os
import sys


def load(work):
    rows = [json.loads(line) for line in open(os.path.join(work, "results.jsonl")) if line.strip()]
    micro_path = os.path.join(work, "normalize_bench.json")
    micro = json.load(open(micro_path)) if os.path.exists(micro_path) else None
    return rows, micro


def by_name(rows, name):
    return {row["people"]: row for row in rows if row["name"] == name}


def end_to_end_table(rows):
    tenants = by_name(rows, "tenant")
    ours = by_name(rows, "find-duplicates")
    python = by_name(rows, "python-baseline")
    lines = ["| people | contacts | export MiB | podium-dedup wall s | CPU s | peak RSS MiB "
             "| Python wall s | Python CPU s | Python peak RSS MiB | speed-up (wall) | speed-up (CPU) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for people in sorted(ours):
        tenant, row, base = tenants.get(people, {}), ours[people], python.get(people)
        base_cells = (f"{base['wall_s']:.2f} | {base['cpu_s']:.2f} | {base['peak_rss_mib']:.0f} "
                      f"| {base['wall_s'] / row['wall_s']:.2f}x | {base['cpu_s'] / row['cpu_s']:.2f}x"
                      if base else "- | - | - | - | -")
        lines.append(f"| {people:,} | {tenant.get('contacts', 0):,} | {tenant.get('bytes', 0) / 2**20:.0f} "
                     f"| {row['wall_s']:.2f} | {row['cpu_s']:.2f} | {row['peak_rss_mib']:.0f} | {base_cells} |")
    sizes = sorted(ours)
    for small, large in zip(sizes, sizes[1:]):
        lines.append("")
        lines.append(f"Scaling {small:,} -> {large:,} people ({large // small}x): wall time "
                     f"{ours[large]['wall_s'] / ours[small]['wall_s']:.1f}x, CPU time "
                     f"{ours[large]['cpu_s'] / ours[small]['cpu_s']:.1f}x.")
    return "\n".join(lines)


def other_table(rows):
    lines = ["| measurement | result |", "|---|---|"]
    for row in rows:
        if row["name"] == "cross-location":
            lines.append(f"| cross-location on the {row['people']:,}-people index | {row['wall_s']:.2f} s wall, "
                         f"{row['cpu_s']:.2f} s CPU, {row['peak_rss_mib']:.0f} MiB peak RSS |")
        if row["name"] == "api-find-duplicates":
            contacts = next((t["contacts"] for t in rows if t["name"] == "tenant" and t["people"] == row["people"]), 0)
            lines.append(f"| find-duplicates --api-url over the {row['people']:,}-people tenant, no rate limit | "
                         f"{row['wall_s']:.2f} s wall, {row['cpu_s']:.2f} s CPU (the client; the server is "
                         f"another process), {contacts / row['wall_s']:,.0f} contacts indexed per second |")
        if row["name"] == "api-list":
            r = row["result"]
            limit = row["server_limit_per_minute"]
            text = (f"{r['contacts']:,} contacts in {r['pages']} pages, {r['seconds']:.1f} s, "
                    f"{r['contacts_per_second']:,.0f} contacts/s, {r['requests_per_minute']:.0f} requests/min, "
                    f"{r['rate_limited']} answers 429")
            if limit:
                text += f", {100 * r['requests_per_minute'] / limit:.1f}% of the limit"
            lines.append(f"| API ListContacts walk, server limit {limit or 'off'}/min | {text} |")
    return "\n".join(lines)


def micro_table(micro):
    if not micro:
        return ""
    lines = ["| benchmark | values per CPU second | µs CPU per value |", "|---|---:|---:|"]
    for bench in micro["benchmarks"]:
        rate = bench.get("items_per_second", 0)
        name = bench["name"].split("/")[0].removeprefix("BM_")
        lines.append(f"| {name} | {rate:,.0f} | {1e6 / rate:.1f} |")
    return "\n".join(lines)


def svg_plot(rows):
    """Two panels, wall time and peak RSS against tenant size, log-log."""
    import math
    series = [("find-duplicates", "podium-dedup", "#1f77b4"), ("python-baseline", "Python baseline", "#d62728")]
    panels = [("wall_s", "wall time (s)"), ("peak_rss_mib", "peak RSS (MiB)")]
    width, height, margin = 420, 300, 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * width}" height="{height + 40}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{2 * width}" height="{height + 40}" fill="white"/>']
    for index, (field, label) in enumerate(panels):
        x0 = index * width
        points = {name: sorted((p, r[field]) for p, r in by_name(rows, name).items()) for name, _, _ in series}
        values = [v for pts in points.values() for _, v in pts if v > 0]
        sizes = [p for pts in points.values() for p, _ in pts]
        if not values:
            continue
        lo_x, hi_x = math.log10(min(sizes)), math.log10(max(sizes))
        lo_y, hi_y = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
        hi_x = hi_x if hi_x > lo_x else lo_x + 1
        hi_y = hi_y if hi_y > lo_y else lo_y + 1

        def sx(p):
            return x0 + margin + (math.log10(p) - lo_x) / (hi_x - lo_x) * (width - 1.5 * margin)

        def sy(v):
            return height - margin + 20 - (math.log10(v) - lo_y) / (hi_y - lo_y) * (height - 1.5 * margin)

        out.append(f'<text x="{x0 + width / 2}" y="20" text-anchor="middle">{label} vs people (log-log)</text>')
        out.append(f'<line x1="{x0 + margin}" y1="{sy(10 ** lo_y)}" x2="{x0 + width - margin / 2}" '
                   f'y2="{sy(10 ** lo_y)}" stroke="black"/>')
        out.append(f'<line x1="{x0 + margin}" y1="{sy(10 ** lo_y)}" x2="{x0 + margin}" y2="{sy(10 ** hi_y)}" '
                   f'stroke="black"/>')
        for exponent in range(lo_y, hi_y + 1):
            y = sy(10 ** exponent)
            out.append(f'<line x1="{x0 + margin}" y1="{y}" x2="{x0 + width - margin / 2}" y2="{y}" stroke="#ddd"/>')
            out.append(f'<text x="{x0 + margin - 5}" y="{y + 4}" text-anchor="end">{10 ** exponent:g}</text>')
        for p in sorted(set(sizes)):
            out.append(f'<text x="{sx(p)}" y="{sy(10 ** lo_y) + 16}" text-anchor="middle">{p:,}</text>')
        for row, (name, title, colour) in enumerate(series):
            pts = [(sx(p), sy(v)) for p, v in points[name] if v > 0]
            if not pts:
                continue
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for x, y in pts:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
            out.append(f'<text x="{x0 + margin + 10}" y="{45 + 15 * row}" fill="{colour}">{title}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    work = sys.argv[1]
    rows, micro = load(work)
    report = ["## End to end: find-duplicates --input", "", end_to_end_table(rows), "",
              "## Other measurements", "", other_table(rows), ""]
    if micro:
        report += ["## Normalization micro-benchmarks (normalize_bench)", "", micro_table(micro), ""]
    with open(os.path.join(work, "report.md"), "w") as file:
        file.write("\n".join(report))
    with open(os.path.join(work, "benchmarks-scaling.svg"), "w") as file:
        file.write(svg_plot(rows))
    print("\n".join(report))


if __name__ == "__main__":
    main()
