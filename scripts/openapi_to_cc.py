#!/usr/bin/env python3
"""Converts docs/openapi.yaml to JSON and writes it as a C++ source file (the build's step).

Usage: openapi_to_cc.py IN.yaml OUT.cc

OUT.cc defines gd::OpenApiJson() (dispatcher/http/openapi.h), the document as compact JSON.
Exits non-zero, naming the file and the line, when the YAML does not parse or is not an
OpenAPI 3.1 document with paths, so a broken description fails the build.
"""
import json
import sys

import yaml


def fail(message):
    print(f"openapi_to_cc: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        fail("usage: openapi_to_cc.py IN.yaml OUT.cc")
    src, out = sys.argv[1], sys.argv[2]
    try:
        with open(src, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except yaml.YAMLError as e:
        fail(f"{src} does not parse: {e}")
    except OSError as e:
        fail(f"cannot read {src}: {e}")
    if not isinstance(doc, dict):
        fail(f"{src}: the document is not a mapping")
    if not str(doc.get("openapi", "")).startswith("3.1"):
        fail(f"{src}: `openapi` must be 3.1.x, found {doc.get('openapi')!r}")
    if not isinstance(doc.get("paths"), dict) or not doc["paths"]:
        fail(f"{src}: no `paths`")
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    # Emitted as bytes so no character of the document can end a C++ literal early.
    data = text.encode("utf-8")
    lines = []
    for i in range(0, len(data), 24):
        lines.append("    " + ", ".join(str(b) for b in data[i:i + 24]) + ",")
    cc = (
        "// Generated from docs/openapi.yaml by scripts/openapi_to_cc.py. Do not edit.\n"
        '#include "dispatcher/http/openapi.h"\n\n'
        "namespace gd {\n"
        "namespace {\n"
        f"constexpr unsigned char kDocument[{len(data)}] = {{\n"
        + "\n".join(lines)
        + "\n};\n"
        "}  // namespace\n\n"
        "std::string_view OpenApiJson() {\n"
        "  return {reinterpret_cast<const char*>(kDocument), sizeof(kDocument)};\n"
        "}\n\n"
        "}  // namespace gd\n"
    )
    try:
        with open(out, "w", encoding="utf-8") as f:
            f.write(cc)
    except OSError as e:
        fail(f"cannot write {out}: {e}")


if __name__ == "__main__":
    main()
