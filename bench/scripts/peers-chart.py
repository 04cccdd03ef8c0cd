#!/usr/bin/env python3
"""Draw bench-peers.sh's results as an SVG: horizontal bars of the median requests/s of each
server (a whisker from the lowest to the highest round), and, given the JSON of
`OUT=... bench-instructions.sh peers`, a second panel of instructions per request of the
in-process modes. Hand-written SVG, Python's standard library only.

Usage: bench/scripts/peers-chart.py [PEERS_JSON] [--instructions FILE] [--out FILE]
  PEERS_JSON      default bench/results/peers.json
  --instructions  bench-instructions.sh's JSON (its OUT=), for the second panel
  --out           default bench/peers.svg
"""
import argparse
import json
from xml.sax.saxutils import escape

# Bar colours by where the session lives; sealed-session's own bars stand out.
COLOURS = {"sealed": "#1f6feb", "cookie": "#7d8fa6", "memory": "#b08d57", "redis": "#c0504d",
           "none": "#b0b0b0"}
LEGEND = [("sealed", "sealed-session (sealed cookie)"), ("cookie", "other cookie sessions"),
          ("memory", "server memory"), ("redis", "Redis"), ("none", "no sessions")]
# bench-instructions.sh's modes as the servers they count.
MODE_SERVER = {"plain": "plain", "sessions": "sealed_session", "tower_memory": "tower_memory",
               "tower_cookie": "tower_cookie", "private_jar": "private_jar"}

WIDTH, LABEL_W, RIGHT_W, ROW, BAR = 920, 290, 110, 26, 16
PLOT_W = WIDTH - LABEL_W - RIGHT_W


def kind(name, entry):
    return "sealed" if name.startswith("sealed_session") else entry.get("storage", "cookie")


def ticks(top):
    """Round gridline values from 0 to at least top."""
    step = 10 ** max(len(str(int(top))) - 1, 0)
    for m in (1, 2, 2.5, 5, 10):
        if top / (step * m) <= 6:
            step *= m
            break
    return [step * i for i in range(int(top // step) + 2)]


def fmt(v):
    if v >= 10000:
        return f"{v / 1000:.0f}k" if v % 1000 == 0 else f"{v / 1000:.1f}k"
    return f"{v:,.0f}"


def panel(out, y, title, subtitle, rows, unit):
    """rows: (label, kind, value, low, high); appends SVG to out, returns the next y."""
    out.append(f'<text x="20" y="{y}" class="title">{escape(title)}</text>')
    out.append(f'<text x="20" y="{y + 18}" class="sub">{escape(subtitle)}</text>')
    y += 36
    top = max(high if high is not None else value for _, _, value, _, high in rows)
    grid = ticks(top)
    scale = PLOT_W / grid[-1]
    height = ROW * len(rows)
    for g in grid:
        x = LABEL_W + g * scale
        out.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + height}" class="grid"/>')
        out.append(f'<text x="{x:.1f}" y="{y + height + 14}" class="axis">{fmt(g)}</text>')
    for i, (label, k, value, low, high) in enumerate(rows):
        top_y = y + i * ROW + (ROW - BAR) / 2
        mid = top_y + BAR / 2
        out.append(f'<text x="{LABEL_W - 8}" y="{mid + 4:.1f}" class="label">{escape(label)}</text>')
        out.append(f'<rect x="{LABEL_W}" y="{top_y:.1f}" width="{value * scale:.1f}" '
                   f'height="{BAR}" fill="{COLOURS[k]}"><title>{escape(label)}: '
                   f'{value:,.0f} {unit}</title></rect>')
        end = value * scale
        if low is not None and high is not None and high > low:
            x1, x2 = LABEL_W + low * scale, LABEL_W + high * scale
            out.append(f'<line x1="{x1:.1f}" y1="{mid:.1f}" x2="{x2:.1f}" y2="{mid:.1f}" class="whisker"/>')
            for x in (x1, x2):
                out.append(f'<line x1="{x:.1f}" y1="{mid - 4:.1f}" x2="{x:.1f}" y2="{mid + 4:.1f}" class="whisker"/>')
            end = max(end, high * scale)
        out.append(f'<text x="{LABEL_W + end + 6:.1f}" y="{mid + 4:.1f}" class="value">{value:,.0f}</text>')
    return y + height + 34


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("peers", nargs="?", default="bench/results/peers.json")
    parser.add_argument("--instructions")
    parser.add_argument("--out", default="bench/peers.svg")
    args = parser.parse_args()

    with open(args.peers) as f:
        peers = json.load(f)
    servers = peers["servers"]
    settings = peers["settings"]
    out = []
    y = 30
    rows = sorted(
        ((e["label"], kind(n, e), e["median_requests_per_s"], min(e["rounds_requests_per_s"]),
          max(e["rounds_requests_per_s"])) for n, e in servers.items()),
        key=lambda r: -r[2])
    y = panel(out, y, "Requests per second, higher is better",
              f"the counter demo on loopback, {settings['wrk']}, median of "
              f"{settings['rounds']} interleaved rounds (whisker: lowest to highest round)",
              rows, "requests/s")

    if args.instructions:
        with open(args.instructions) as f:
            counts = json.load(f)
        rows = []
        for mode, c in counts["modes"].items():
            name = MODE_SERVER.get(mode)
            if name is None:
                continue
            entry = servers.get(name, {"label": name, "storage": "cookie"})
            rows.append((entry["label"], kind(name, entry), c["instructions"], None, None))
        rows.sort(key=lambda r: r[2])
        if rows:
            y = panel(out, y, "Instructions per request, lower is better",
                      f"the same apps in process (request_cost under {counts['tool']}, "
                      f"N = {counts['iterations']}), no network",
                      rows, "instructions")

    x = 20
    for k, text in LEGEND:
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{COLOURS[k]}"/>')
        out.append(f'<text x="{x + 17}" y="{y}" class="legend">{escape(text)}</text>')
        x += 36 + 7 * len(text)
    y += 22
    machine = peers["machine"]
    out.append(f'<text x="20" y="{y}" class="sub">{escape(machine["cpu"])}, {machine["cpus"]} CPUs; '
               f'server on CPU {escape(str(settings["server_cpus"]))}, wrk on '
               f'{escape(str(settings["wrk_cpus"]))}; {escape(peers["date"])}, commit '
               f'{escape(str(peers["commit"]))}</text>')
    y += 16

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y}" '
           f'viewBox="0 0 {WIDTH} {y}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">',
           "<style>"
           ".title{font-size:15px;font-weight:600;fill:#222}"
           ".sub{font-size:11px;fill:#555}"
           ".label{font-size:12px;fill:#222;text-anchor:end}"
           ".value{font-size:11px;fill:#222}"
           ".axis{font-size:10px;fill:#777;text-anchor:middle}"
           ".legend{font-size:11px;fill:#333}"
           ".grid{stroke:#e4e4e4;stroke-width:1}"
           ".whisker{stroke:#333;stroke-width:1}"
           "</style>",
           f'<rect width="{WIDTH}" height="{y}" fill="#fff"/>']
    with open(args.out, "w") as f:
        f.write("\n".join(svg + out + ["</svg>"]) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
