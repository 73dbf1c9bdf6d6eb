#!/usr/bin/env python3
"""Builds the benchmark dictionaries from python3-jieba's word list (dict.txt: word freq tag).

usage: make_dicts.py OUT_DIR
Writes {dense,sparse}_{1k,10k,100k}.txt, one UTF-8 term per line, all distinct, Chinese only:
  dense  - words of two or more characters sampled by frequency (seeded weighted sampling without
           replacement, weight = jieba's count): common words, tens of thousands of hits per MB;
  sparse - a seeded sample of rare words (frequency <= 3 in jieba's counts) of three or more
           characters, as in a real forbidden-word list: terms that seldom occur.
"""
import os
import random
import re
import sys

JIEBA = "/usr/lib/python3/dist-packages/jieba/dict.txt"
SIZES = {"1k": 1000, "10k": 10000, "100k": 100000}
CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    words = []
    with open(JIEBA, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and CJK.match(parts[0]):
                words.append((parts[0], int(parts[1])))
    # Efraimidis-Spirakis: the n largest keys u^(1/w) are a weighted sample without replacement.
    rng = random.Random(20240602)
    common = sorted(w for w in words if len(w[0]) >= 2)
    dense = sorted(common, key=lambda w: -(rng.random() ** (1.0 / w[1])))
    rare = sorted(w[0] for w in words if len(w[0]) >= 3 and w[1] <= 3)
    random.Random(20240603).shuffle(rare)
    for label, n in SIZES.items():
        for kind, terms in (("dense", [w for w, _ in dense[:n]]), ("sparse", rare[:n])):
            if len(terms) < n or len(set(terms)) != n:
                sys.exit(f"jieba's list is too small for {kind}_{label}")
            with open(os.path.join(out, f"{kind}_{label}.txt"), "w", encoding="utf-8") as f:
                f.write("\n".join(terms) + "\n")
    print(f"dictionaries: {len(common)} common and {len(rare)} rare candidates -> {out}")


if __name__ == "__main__":
    main()
