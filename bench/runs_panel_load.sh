#!/usr/bin/env bash
# The window on a large runs folder (bench/runs_panel_benchmark.cpp): 300 runs, one with 10^6 step records.
# Writes the "Runs panel under load" section of docs/performance.md (between its markers) and prints it.
# usage: runs_panel_load.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1" source="$2"
result="$(QT_QPA_PLATFORM=offscreen "$build/bench/runs_panel_benchmark" 2>/dev/null | tail -1)"
section="$(/usr/bin/python3 - "$result" <<'PY'
import datetime, json, os, subprocess, sys
r = json.loads(sys.argv[1])
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True,
                     text=True).stdout.strip()
print("\n".join([
    "<!-- runs-panel:begin -->",
    "## Runs panel under load (bench/runs_panel_benchmark, `./tau bench runs`, offscreen, 1280x800)", "",
    f"A runs folder of {r['runs']} runs: {r['runs'] - 1} of 150 steps and one of {r['long_steps']:,} step records "
    f"({r['long_file_mb']:.0f} MB of metrics.jsonl, with {r['long_steps'] // 1000:,} epoch records and their "
    f"histograms). Machine: {cpu}, {os.cpu_count()} cores. Date: {datetime.date.today().isoformat()}.", "",
    "| | ms | peak memory added (MB) |", "|---|---|---|",
    f"| open the window on the folder (the Runs panel summarises every run) and show the long run | "
    f"{r['open_window_ms'] + r['show_long_run_ms']:.0f} | {r['window_peak_mb']:.0f} |",
    f"| of which: open the window | {r['open_window_ms']:.0f} | |",
    f"| of which: select the long run and draw its curves ({r['steps_shown']:,} steps shown, 1 in {r['stride']}) | "
    f"{r['show_long_run_ms']:.0f} | |",
    f"| for contrast: read the long history in full ({r['full_steps']:,} step records) | {r['full_read_ms']:.0f} | "
    f"{r['full_read_peak_mb']:.0f} |", "",
    "The panel and the curves read a long history decimated (`MetricsReadOptions::maxStepRecords`): every k-th step "
    "record and the last, k a power of two, so memory stays bounded whatever the length; the records left out are "
    "only scanned, not parsed.",
    "<!-- runs-panel:end -->"]))
PY
)"
echo "$section"
/usr/bin/python3 "$source/bench/replace_section.py" runs-panel "$source/docs/performance.md" <<<"$section"
