#!/usr/bin/env python3
"""Lists Swift functions longer than 60 lines that do not say why (issue 14: "no function over 60 lines
without a reason in a comment"); exits 1 when there is one. The reason is a comment line starting with
`Long:` among the comment lines just above the declaration, e.g. `// Long: one table per statement, in order.`

  python3 scripts/long-functions.py [DIR ...]      (default: Sources Tests)
"""
import os
import re
import sys

LIMIT = 60
DECLARATION = re.compile(
    r"^(\s*)(?:@\w+(?:\([^)]*\))?\s+)*"
    r"(?:(?:public|private|fileprivate|internal|package|static|class|override|mutating|nonisolated|final|"
    r"convenience|required)\s+)*(?:func\s|init[(<?]|init!)"
)


def functions(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    for start, line in enumerate(lines):
        match = DECLARATION.match(line)
        if not match:
            continue
        indent = match.group(1)
        # Find the body's opening brace (the signature may span lines), then the closing brace at this indent.
        opening = start
        while opening < len(lines) and "{" not in lines[opening]:
            if opening > start and DECLARATION.match(lines[opening]):
                break  # a protocol requirement without a body
            opening += 1
        if opening >= len(lines) or "{" not in lines[opening]:
            continue
        if lines[opening].rstrip().endswith("}") and lines[opening].count("{") == lines[opening].count("}"):
            continue  # the whole body on one line
        end = opening + 1
        while end < len(lines) and not lines[end].startswith(indent + "}"):
            end += 1
        length = end - start + 1
        if length <= LIMIT:
            continue
        above = start - 1
        reason = False
        while above >= 0 and re.match(r"^\s*(//|@)", lines[above]):
            if re.match(r"^\s*///?\s*Long:", lines[above]):
                reason = True
            above -= 1
        yield length, start + 1, line.strip()[:80], reason


def main():
    roots = sys.argv[1:] or ["Sources", "Tests"]
    missing = []
    for root in roots:
        for folder, _, files in os.walk(root):
            for name in sorted(files):
                if name.endswith(".swift"):
                    path = os.path.join(folder, name)
                    missing += [(n, path, at, text) for n, at, text, reason in functions(path) if not reason]
    for length, path, at, text in sorted(missing, reverse=True):
        print(f"{path}:{at}: {length} lines without a `// Long:` reason: {text}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
