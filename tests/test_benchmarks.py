"""The benchmark suite keeps working: a quick run writes one JSON row per measure.

Only the shape is checked — ratios depend on the machine and are not judged here.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = {"measure", "baseline", "ours", "ratio", "goal", "met"}


def test_quick_run_writes_every_row_with_its_keys(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick",
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(rows, list) and len(rows) == 11
    for row in rows:
        assert set(row) == KEYS, row
        assert isinstance(row["measure"], str) and row["measure"]
        assert isinstance(row["goal"], str) and row["goal"]
        assert row["met"] in (True, False, None)
        for key in ("baseline", "ours", "ratio"):
            assert row[key] is None or (isinstance(row[key], float) and row[key] >= 0), row
    measured = [row for row in rows if "not measured" not in row["measure"]]
    assert all(row["ours"] is not None and row["met"] is not None for row in measured)
    paired = [row for row in measured if row["baseline"] is not None]
    assert len(paired) >= 7 and all(row["ratio"] > 0 for row in paired)
    table = done.stdout.splitlines()
    assert table[0] == "| measure | baseline | ours | ratio | goal | met |"
    assert len(table) == 2 + len(rows)
