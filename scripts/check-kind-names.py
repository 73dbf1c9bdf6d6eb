#!/usr/bin/env python3
"""Fails naming file:line where a channel kind name of the registry (channels/<kind>/kind.cc,
`.kind = "..."`) is written as a string in the dispatcher (dispatcher/) or the console
(web/src/) (docs/decisions.md, "Channel registry (issue 14)"). They ask the registry
(channels/builtin_channels.h, GET /api/channel-kinds) for a capability instead. Platform names
belong in channels/, policies/, templates/ and tests/ only. A line that uses the same word for
something else (a JSON field "manual", a trigger) says so with the marker `not a channel kind`.

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


def self_test():
    """Plants kind names in a scratch tree and checks that each is found, and the marked one not."""
    import tempfile
    with tempfile.TemporaryDirectory() as root:
        def put(rel, text):
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
        put('channels/alpha/kind.cc', 'BuiltinChannel Channel() { return {.kind = "alpha"}; }\n')
        put('dispatcher/a.cc', 'bool f(const std::string& k) { return k == "alpha"; }\n')
        put('dispatcher/b.cc', 'Json j = {{"alpha", 1}};  // not a channel kind\n'
                               '// a comment naming "alpha" is fine\n')
        put('web/src/c.vue', "<template v-if=\"c.kind === 'alpha'\">\n")
        put('web/src/d.js', "const u = 'https://example.org/alpha'  // 'alpha'\n")
        found = check(root)
    want = {'dispatcher/a.cc:1', 'web/src/c.vue:1'}
    got = {f.split(': ', 1)[0] for f in found}
    if got != want:
        print(f'check-kind-names self-test failed: found {sorted(got)}, expected {sorted(want)}')
        return 1
    print('check-kind-names self-test: planted names found, marked and commented ones ignored')
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument('--self-test', action='store_true')
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    names = kind_names(args.root)
    if not names:
        print('check-kind-names: no registry entries found under channels/*/kind.cc')
        return 1
    found = check(args.root)
    for f in found:
        print(f)
    if found:
        return 1
    print(f'check-kind-names: no kind name of {len(names)} registry entries in dispatcher/ or web/src/')
    return 0


def check(root):
    names = kind_names(root)
    alt = '|'.join(map(re.escape, names))
    pattern = re.compile(r'"(' + alt + r')"' + "|'(" + alt + r")'")
    found = []
    scanned = [('dispatcher', ('.cc', '.h')), (os.path.join('web', 'src'), ('.js', '.vue'))]
    for top, exts in scanned:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith(exts):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding='utf-8') as f:
                    for no, line in enumerate(f, 1):
                        if 'not a channel kind' in line:
                            continue
                        code = re.split(r'(?<!:)//', line, maxsplit=1)[0]
                        m = pattern.search(code)
                        if m:
                            found.append(f'{rel}:{no}: channel kind "{m.group(1) or m.group(2)}" '
                                         'outside the registry; ask channels/builtin_channels.h '
                                         '(or /api/channel-kinds) instead')
    return found


if __name__ == '__main__':
    sys.exit(main())
