#!/usr/bin/env python3
"""pyahocorasick side of the checks benchmark (Debian's python3-ahocorasick, unicode build).

usage: py_bench.py CORPUS_SLICE RUNS DICT... > results.tsv
Per dictionary, one line: name build_seconds memory_bytes median_MB_per_s match_count
median_MB_per_CPU_second (process time: the scan's own work, whatever the machine's load).
All overlapping matches through Automaton.iter() (iter_long() drops matches). MB are 10^6 bytes
of the slice's UTF-8 text; the decode to str happens once, outside the timing.
"""
import os
import statistics
import sys
import time

import ahocorasick


def main():
    text_bytes = open(sys.argv[1], "rb").read()
    text = text_bytes.decode("utf-8")
    mb = len(text_bytes) / 1e6
    runs = int(sys.argv[2])
    for path in sys.argv[3:]:
        name = os.path.splitext(os.path.basename(path))[0]
        terms = [t for t in open(path, encoding="utf-8").read().split("\n") if t]
        t0 = time.perf_counter()
        a = ahocorasick.Automaton()
        for i, t in enumerate(terms):
            a.add_word(t, i)
        a.make_automaton()
        build = time.perf_counter() - t0
        rates, cpu_rates, count = [], [], 0
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            count = sum(1 for _ in a.iter(text))
            c1, t1 = time.process_time(), time.perf_counter()
            rates.append(mb / (t1 - t0))
            cpu_rates.append(mb / max(c1 - c0, 1e-9))
        mem = a.get_stats()["total_size"]
        print(f"{name}\t{build:.6f}\t{mem}\t{statistics.median(rates):.3f}\t{count}\t"
              f"{statistics.median(cpu_rates):.3f}", flush=True)
        print(f"pyahocorasick {name}: {statistics.median(rates):.1f} MB/s", file=sys.stderr)


if __name__ == "__main__":
    main()
