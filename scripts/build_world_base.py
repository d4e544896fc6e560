"""Build the map's offline world base layer (static/vendor/world-atlas/countries-110m.json).

Run once at development time, never at run time; the output is committed:

    npm pack world-atlas@2.0.2            # Natural Earth 1:110m, public domain
    tar xzf world-atlas-2.0.2.tgz
    python scripts/build_world_base.py package/countries-110m.json

world-atlas 2.0.2 is Natural Earth 4.1.0's admin-0 countries as TopoJSON, quantised on a
100,000 × 100,000 grid (0.0036° steps). For a backdrop a 10,000 grid is enough (about
4 km at the equator, finer than the 1:110m lines themselves): re-quantising, and
dropping the names, ids and the duplicate "land" object, takes it from 38.5 KB to
25.7 KB gzipped. Arcs are re-quantised one by one, deterministically, so borders
shared by two countries stay shared. The browser turns it into GeoJSON with
topojson-client (static/vendor/topojson-client).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

GRID = 10_000
OUT = Path(__file__).resolve().parents[1] / (
    "chapterhouse/static/vendor/world-atlas/countries-110m.json"
)


def requantise(topology: dict[str, Any], grid: int) -> dict[str, Any]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    x0, y0, x1, y1 = topology["bbox"]
    kx, ky = (x1 - x0) / (grid - 1), (y1 - y0) / (grid - 1)
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points: list[tuple[int, int]] = []
        for dx, dy in arc:  # delta-encoded positions on the source grid
            x += dx
            y += dy
            point = (round((x * sx + tx - x0) / kx), round((y * sy + ty - y0) / ky))
            if not points or points[-1] != point:
                points.append(point)
        if len(points) == 1:  # an arc needs two positions, even if they coincide
            points.append(points[0])
        encoded, px, py = [], 0, 0
        for qx, qy in points:
            encoded.append([qx - px, qy - py])
            px, py = qx, qy
        arcs.append(encoded)
    countries = topology["objects"]["countries"]
    for geometry in countries["geometries"]:
        geometry.pop("properties", None)
        geometry.pop("id", None)
    return {
        "type": "Topology",
        "bbox": topology["bbox"],
        "transform": {"scale": [kx, ky], "translate": [x0, y0]},
        "objects": {"countries": countries},
        "arcs": arcs,
    }


def main(source: str) -> None:
    topology = json.loads(Path(source).read_text())
    body = json.dumps(requantise(topology, GRID), separators=(",", ":")).encode()
    OUT.write_bytes(body)
    print(f"{OUT}: {len(body)} bytes, {len(gzip.compress(body, 9))} gzipped")


if __name__ == "__main__":
    main(sys.argv[1])
