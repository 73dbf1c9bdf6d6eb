#!/usr/bin/env python3
"""Reports product C++ that is too big to change safely (issue 13).

    scripts/check-sizes.py [--max-file-lines N] [--max-function-lines N] [PATH...]

Scans the C++ that ships in the dispatcher binary (dispatcher/ and channels/ by default, or
the files and directories given) and prints, one per line,

    FILE: N lines (limit: under 600)                 for a .cc file of 600 lines or more
    FILE:LINE: function NAME is N lines (limit 120)  for a function body over 120 lines

then exits 1 if anything was reported, 0 otherwise. A function's length runs from the line of
its name to the line of its closing brace. Member functions defined inside classes are
functions of their own; lambdas and local classes count toward the function around them.
Comments, string literals (raw strings included), character literals and preprocessor lines
are blanked before braces are matched.
"""

import argparse
import os
import re
import sys

DEFAULT_ROOTS = ("dispatcher", "channels")
SOURCE_SUFFIXES = (".cc", ".h")
SCOPE_KEYWORDS = {"namespace", "class", "struct", "union", "enum", "extern"}
IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def blank_block_comment(text, i, out):
    """Appends the /* comment */ starting at i as spaces (newlines kept); returns its end."""
    end = text.find("*/", i + 2)
    end = len(text) if end < 0 else end + 2
    out.append(re.sub(r"[^\n]", " ", text[i:end]))
    return end


def blank(text):
    """Returns text with comments, literals and preprocessor lines replaced by spaces.

    Newlines are kept so offsets map to the same lines; a literal becomes a pair of quotes
    around spaces so that the code around it keeps its shape.
    """
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if c == "\n":
            out.append(c)
            i += 1
            at_line_start = True
            continue
        if at_line_start and c in " \t":
            out.append(c)
            i += 1
            continue
        if at_line_start and c == "#":
            # A preprocessor directive, with its backslash continuations and comments.
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append(" \n")
                    i += 2
                    continue
                if text.startswith("/*", i):
                    i = blank_block_comment(text, i, out)
                    continue
                out.append(" ")
                i += 1
            continue
        at_line_start = False
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
            continue
        if text.startswith("/*", i):
            i = blank_block_comment(text, i, out)
            continue
        raw = re.match(r'(?:u8|u|U|L)?R"([^()\\\s]{0,16})\(', text[i:i + 24])
        if raw and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            close = ")" + raw.group(1) + '"'
            body_start = i + raw.end()
            end = text.find(close, body_start)
            end = n if end < 0 else end + len(close)
            out.append('"' + re.sub(r"[^\n]", " ", text[i + 1:end - 1]) + '"')
            i = end
            continue
        if c == '"' or (c == "'" and not is_digit_separator(text, i)):
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            end = min(j + 1, n)
            out.append(c + " " * max(0, end - i - 2) + (c if end - i >= 2 else ""))
            i = end
            continue
        out.append(c)
        i += 1
    return "".join(out)


def is_digit_separator(text, i):
    """True if the quote at i separates digits (1'000'000) rather than opening a literal."""
    j = i - 1
    while j >= 0 and (text[j].isalnum() or text[j] in "'_."):
        j -= 1
    token = text[j + 1:i]
    return bool(token) and token[0].isdigit() and i + 1 < len(text) and text[i + 1].isalnum()


def strip_template_prefix(header):
    """Drops leading `template <...>` clauses (angle brackets matched) from a header."""
    while True:
        m = re.match(r"\s*template\s*<", header)
        if not m:
            return header
        depth, k = 1, m.end()
        while k < len(header) and depth:
            if header[k] == "<":
                depth += 1
            elif header[k] == ">":
                depth -= 1
            k += 1
        header = header[k:]


def top_level(header):
    """Returns header with the insides of (), [] and {} removed, keeping the brackets."""
    out, depth = [], 0
    for ch in header:
        if ch in "([{":
            if depth == 0:
                out.append(ch)
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
            if depth == 0:
                out.append(ch)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def classify(header):
    """Says what a `{` opened at namespace or class scope is: 'scope', 'function' or 'other'.

    header is the blanked text since the last declaration boundary in that scope.
    """
    h = re.sub(r"^\s*(?:(?:public|private|protected)\s*:(?!:)\s*)+", "", header)
    h = strip_template_prefix(h)
    if h.count("(") != h.count(")") or h.count("[") != h.count("]"):
        return "other"  # a braced value inside an argument list, e.g. `reason = {}`
    flat = top_level(h)
    words = IDENT.findall(flat)
    if words and words[0] in SCOPE_KEYWORDS and "(" not in flat:
        return "scope"
    if words and words[0] in ("typedef", "using"):
        return "other"
    if re.search(r"\b(?:class|struct|union|enum)\b", flat) and "(" not in flat:
        return "scope"
    if "(" not in flat:
        return "other"
    before_params = flat[:flat.index("(")]
    if re.search(r"(?<![=!<>])=(?!=)", before_params) and "operator" not in before_params:
        return "other"
    if not re.search(r"(?:[A-Za-z_0-9>~]|operator\s*\S+)\s*$", before_params):
        return "other"
    after_params = flat[flat.index("("):]
    if re.search(r"(?<!:):(?!:)", after_params) and not re.search(r"[)}]\s*$", flat):
        return "other"  # a member initialised with braces in a constructor's initializer list
    return "function"


def function_name(header, header_start, text):
    """Returns (name, offset of the name) for a function header that starts at header_start."""
    h = header
    flat_positions = []
    depth = 0
    first_paren = None
    for k, ch in enumerate(h):
        if ch == "(":
            if depth == 0 and first_paren is None:
                prefix = h[:k]
                if not re.search(r"template\s*<[^>]*$", prefix):
                    first_paren = k
            depth += 1
        elif ch == ")":
            depth -= 1
        flat_positions.append(depth)
    if first_paren is None:
        return "?", header_start
    prefix = h[:first_paren]
    m = re.search(r"((?:[A-Za-z_0-9]+(?:<[^<>()]*>)?\s*::\s*)*(?:operator\s*(?:\(\s*\)|[^\s(]+)|~?[A-Za-z_0-9]+))\s*$",
                  prefix)
    if not m:
        return "?", header_start
    name = re.sub(r"\s+", "", m.group(1))
    return name, header_start + m.start(1)


class Finding:
    def __init__(self, path, line, name, length):
        self.path, self.line, self.name, self.length = path, line, name, length


def scan_functions(path, text):
    """Yields Finding(path, line, name, length) for every function body in text."""
    code = blank(text)
    line_starts = [0]
    for k, ch in enumerate(code):
        if ch == "\n":
            line_starts.append(k + 1)

    def line_of(offset):
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def matching(open_at):
        depth = 0
        for k in range(open_at, len(code)):
            if code[k] == "{":
                depth += 1
            elif code[k] == "}":
                depth -= 1
                if depth == 0:
                    return k
        return len(code) - 1

    def walk(start, end):
        header_start = start
        k = start
        while k < end:
            ch = code[k]
            if ch == ";":
                header_start = k + 1
            elif ch == "}":
                header_start = k + 1
            elif ch == "{":
                close = matching(k)
                header = code[header_start:k]
                kind = classify(header)
                if kind == "scope":
                    yield from walk(k + 1, close)
                    header_start = close + 1
                elif kind == "function":
                    name, name_at = function_name(header, header_start, code)
                    first = line_of(name_at)
                    yield Finding(path, first, name, line_of(close) - first + 1)
                    header_start = close + 1
                k = close
            k += 1

    yield from walk(0, len(code))


SELF_TEST_SOURCE = r'''namespace a {
const char* k = R"json({"x": "}"})json";
char c = '{';
// }
/* { */
int n = 1'000'000;
struct S {
  int f() const { return '}' + "\"}"[0]; }
  auto g() -> int {
    auto l = [&] { return 1; };
    return l();
  }
};
S::S(int a, std::string r = {}) : a_{a}, b_(a) {
  x();
}
#define M(x) { x }
template <class T>
void h(T t) requires X<T> {
}
}  // namespace a
extern "C" {
int cf(void) {
  return 0;
}
}
'''

SELF_TEST_EXPECTED = [("f", 8, 1), ("g", 9, 4), ("S::S", 14, 3), ("h", 19, 2), ("cf", 23, 3)]


def self_test():
    """Checks the parser on literals, comments, initializer lists and nested scopes."""
    got = [(f.name, f.line, f.length) for f in scan_functions("self-test", SELF_TEST_SOURCE)]
    if got != SELF_TEST_EXPECTED:
        print(f"check-sizes self-test failed:\n  expected {SELF_TEST_EXPECTED}\n  got      {got}")
        return 1
    print("check-sizes self-test passed")
    return 0


def product_files(paths):
    for root in paths:
        if os.path.isfile(root):
            yield root
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in ("build", "tests", "testdata"))
            for name in sorted(filenames):
                if name.endswith(SOURCE_SUFFIXES) and not name.endswith("_test.cc"):
                    yield os.path.join(dirpath, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="files or directories (default: dispatcher channels)")
    parser.add_argument("--max-file-lines", type=int, default=600,
                        help=".cc files of this many lines or more are reported (default 600)")
    parser.add_argument("--max-function-lines", type=int, default=120,
                        help="functions longer than this are reported (default 120)")
    parser.add_argument("--self-test", action="store_true", help="check the parser and exit")
    parser.add_argument("--list", action="store_true",
                        help="print every function found with its length (to check the parser)")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if args.paths:
        paths = args.paths
    else:
        repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        os.chdir(repo)
        paths = [p for p in DEFAULT_ROOTS if os.path.isdir(p)]

    problems = 0
    for path in product_files(paths):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        if path.endswith(".cc") and lines >= args.max_file_lines:
            print(f"{path}: {lines} lines (limit: under {args.max_file_lines})")
            problems += 1
        for fn in scan_functions(path, text):
            if args.list:
                print(f"{fn.path}:{fn.line}: {fn.name} {fn.length}")
            if fn.length > args.max_function_lines:
                print(f"{fn.path}:{fn.line}: function {fn.name} is {fn.length} lines "
                      f"(limit {args.max_function_lines})")
                problems += 1
    if problems:
        print(f"check-sizes: {problems} problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
