#!/usr/bin/env python3
"""Fails naming file:line where a channel kind name of the registry (channels/<kind>/kind.cc,
`.kind = "..."`) is written in dispatcher/ (docs/decisions.md, "Channel registry (issue 14)").
The dispatcher asks the registry (channels/builtin_channels.h) for a capability instead.

  scripts/check-kind-names.py            check the tree this script belongs to
  scripts/check-kind-names.py --root D   check another tree
"""
import argparse
import os
import re
import sys


def kind_names(root):
    names = []
    base = os.path.join(root, 'channels')
    for entry in sorted(os.listdir(base)):
        path = os.path.join(base, entry, 'kind.cc')
        if os.path.isfile(path):
            with open(path, encoding='utf-8') as f:
                names += re.findall(r'\.kind\s*=\s*"([a-z0-9_]+)"', f.read())
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = ap.parse_args()
    names = kind_names(args.root)
    if not names:
        print('check-kind-names: no registry entries found under channels/*/kind.cc')
        return 1
    pattern = re.compile(r'"(' + '|'.join(map(re.escape, names)) + r')"')
    found = []
    for dirpath, _, files in os.walk(os.path.join(args.root, 'dispatcher')):
        for name in sorted(files):
            if not name.endswith(('.cc', '.h')):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, args.root)
            with open(path, encoding='utf-8') as f:
                for no, line in enumerate(f, 1):
                    code = line.split('//', 1)[0]
                    m = pattern.search(code)
                    if m:
                        found.append(f'{rel}:{no}: channel kind "{m.group(1)}" outside the '
                                     'registry; ask channels/builtin_channels.h instead')
    for f in found:
        print(f)
    if found:
        return 1
    print(f'check-kind-names: no kind name of {len(names)} registry entries in dispatcher/')
    return 0


if __name__ == '__main__':
    sys.exit(main())
