#!/usr/bin/env python3
"""Print criterion medians (from target/criterion/**/new/estimates.json) and the ratios the
performance targets are stated in. Usage: bench/scripts/bench-medians.py [criterion dir]"""
import json, os, sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"
med = {}
for dirpath, _dirs, files in os.walk(root):
    if dirpath.endswith(os.path.join("new")) and "estimates.json" in files:
        bench = os.path.relpath(os.path.dirname(dirpath), root)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            med[bench] = json.load(f)["median"]["point_estimate"]

def ns(x):
    return f"{x/1000:8.3f} us" if x >= 1000 else f"{x:8.1f} ns"

for bench in sorted(med, key=lambda b: (b.rsplit("/", 1)[0], int(b.rsplit("/", 1)[1]) if b.rsplit("/", 1)[1].isdigit() else 0)):
    print(f"{bench:32} {ns(med[bench])}")

print()
print("seal/enc, open/dec: the Sealer over the raw chacha20poly1305 crate (the target's floor);")
print("over own: the Sealer over the cipher construction it uses (xchacha_ring), i.e. library overhead.")
print(f"{'size':>6} {'seal/enc':>9} {'open/dec':>9} {'seal/own':>9} {'open/own':>9} {'rt/cookie rt':>13} {'fastify rt/ours':>16}")
for size in (64, 256, 1024, 3072):
    def r(a, b):
        a, b = med.get(f"{a}/{size}"), med.get(f"{b}/{size}")
        return f"{a/b:.2f}x" if a and b else "-"
    print(f"{size:>6} {r('sealer/seal','raw_aead/encrypt'):>9} {r('sealer/open','raw_aead/decrypt'):>9} "
          f"{r('sealer/seal','xchacha_ring/encrypt'):>9} {r('sealer/open','xchacha_ring/decrypt'):>9} "
          f"{r('sealer/round_trip','cookie_private/round_trip'):>13} {r('fastify/round_trip','sealer/round_trip'):>16}")
