#!/usr/bin/env python3
"""Builds the benchmark corpus: real Chinese prose extracted from installed Debian documentation
packages (HTML, XHTML and XHP files), tags stripped, only lines that are mostly Chinese kept.

usage: make_corpus.py OUT.txt MIN_MB
Writes OUT.txt (>= MIN_MB MiB of UTF-8 text, one paragraph per line). If the packages hold less
unique prose than MIN_MB, the prose is repeated in shuffled paragraph order until it does; the
script prints how much is unique.
"""
import gzip
import html.parser
import os
import random
import re
import sys

ROOTS = [
    "/usr/share/libreoffice/help/zh-CN",
    "/usr/share/gimp/2.0/help/zh_CN",
    "/usr/share/doc/debian-reference-zh-cn",
    "/usr/share/debian-reference",
    "/usr/share/doc/debian-handbook/html/zh-CN",
    "/usr/share/doc/debian-edu-doc-zh-cn",
    "/usr/share/doc/maint-guide-zh-cn",
    "/usr/share/doc/debian-faq-zh-cn",
]
MAN_ROOT = "/usr/share/man/zh_CN"
TROFF_ESCAPE = re.compile(r"\\(f[A-Z0-9]|f\(..|s[-+]?[0-9]|\(..|\*.|[-e&|^ ])")
EXTS = (".html", ".htm", ".xhtml", ".xhp", ".html.gz", ".htm.gz")
BLOCK = {"p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "dt", "dd",
         "paragraph", "title", "pre", "section", "table", "ul", "ol", "blockquote", "caption"}
SKIP = {"script", "style", "head", "code", "pre", "bookmark_value", "bookmark"}


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.cur, self.skip = [], [], 0

    def flush(self):
        if self.cur:
            self.out.append(" ".join("".join(self.cur).split()))
            self.cur = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skip += 1
        if tag in BLOCK:
            self.flush()

    def handle_endtag(self, tag):
        if tag in SKIP and self.skip:
            self.skip -= 1
        if tag in BLOCK:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.cur.append(data)


def cjk_share(s):
    n = sum(1 for ch in s if "\u4e00" <= ch <= "\u9fff")
    return n / max(1, len(s))


def man_lines(path):
    """Prose lines of a troff man page: requests dropped, font and size escapes removed."""
    with gzip.open(path, "rb") as f:
        raw = f.read().decode("utf-8", errors="replace")
    for line in raw.splitlines():
        if line.startswith((".", "'")):
            continue
        yield " ".join(TROFF_ESCAPE.sub("", line).split())


def walk(root):
    if os.path.isfile(root):
        yield root
        return
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            yield os.path.join(dirpath, name)


def main():
    out, min_mb = sys.argv[1], float(sys.argv[2])
    paras, seen = [], set()
    files = 0

    def keep(line):
        if len(line) >= 8 and cjk_share(line) >= 0.3 and "\ufffd" not in line and line not in seen:
            seen.add(line)
            paras.append(line)

    for root in ROOTS:
        for path in walk(root):
            if not path.endswith(EXTS):
                continue
            opener = gzip.open if path.endswith(".gz") else open
            try:
                with opener(path, "rb") as f:
                    raw = f.read().decode("utf-8", errors="replace")
            except OSError:
                continue
            files += 1
            p = Text()
            p.feed(raw)
            p.flush()
            for line in p.out:
                keep(line)
    for path in walk(MAN_ROOT):
        if path.endswith(".gz"):
            files += 1
            for line in man_lines(path):
                keep(line)
    unique = sum(len(x.encode()) + 1 for x in paras)
    if not paras:
        sys.exit("no Chinese prose found: are the documentation packages installed?")
    rng = random.Random(2024)
    target = int(min_mb * 1024 * 1024)
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        written, rounds = 0, 0
        order = list(paras)
        while written < target:
            for line in order:
                f.write(line + "\n")
                written += len(line.encode()) + 1
            rounds += 1
            rng.shuffle(order)
    os.replace(out + ".tmp", out)
    chars = sum(len(x) + 1 for x in paras)
    print(f"corpus: {files} files, {len(paras)} unique paragraphs, {unique / 2**20:.1f} MiB unique "
          f"prose ({unique / chars:.2f} bytes/char), written {written / 2**20:.1f} MiB "
          f"({rounds} pass(es)) to {out}")


if __name__ == "__main__":
    main()
