#!/usr/bin/env python3
"""Writes the module graph of Package.swift into docs/architecture.md, so it cannot drift.

  scripts/module-graph.py          rewrites the block between the markers
  scripts/module-graph.py --check  exits 1 (and says so) when the block is out of date

It reads Package.swift's text: `.target`, `.executableTarget` and `.systemLibrary` entries
with their `dependencies` (test targets and benchmarks are left out). Each line lists a
module's direct dependencies; modules are grouped in layers, each depending only on layers
below it.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "Package.swift"
DOCUMENT = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- module-graph:begin (scripts/module-graph.py writes this block from Package.swift) -->"
END = "<!-- module-graph:end -->"


def balanced(text, start):
    """The index just past the parenthesis that closes the one at `start`."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    raise ValueError("unbalanced parentheses in Package.swift")


def targets(text):
    modules = {}
    for match in re.finditer(r"\.(target|executableTarget|systemLibrary)\(", text):
        body = text[match.end() - 1 : balanced(text, match.end() - 1)]
        name = re.search(r'name:\s*"([^"]+)"', body).group(1)
        if re.search(r'path:\s*"(bench|Tests)/', body):
            continue
        dependencies = []
        listed = re.search(r"dependencies:\s*\[", body)
        if listed:
            start = listed.end() - 1
            depth, end = 0, start
            for index in range(start, len(body)):
                depth += body[index] == "["
                depth -= body[index] == "]"
                if depth == 0:
                    end = index
                    break
            inner = body[start + 1 : end]
            products = set(re.findall(r'\.product\(\s*name:\s*"([^"]+)"', inner))
            inner = re.sub(r"\.product\([^)]*\)", "", inner)
            local = re.findall(r'"([^"]+)"', inner)
            dependencies = sorted(local) + sorted(f"({product})" for product in products)
        modules[name] = dependencies
    return modules


def layers(modules):
    depth = {}

    def measure(name):
        if name not in depth:
            local = [dependency for dependency in modules.get(name, []) if dependency in modules]
            depth[name] = 1 + max((measure(dependency) for dependency in local), default=-1)
        return depth[name]

    for name in modules:
        measure(name)
    return [sorted(name for name in modules if depth[name] == level) for level in range(max(depth.values()) + 1)][::-1]


def render(modules):
    width = max(len(name) for name in modules)
    lines = [BEGIN, "", "```text"]
    for level, names in enumerate(layers(modules)):
        if level:
            lines.append("")
        for name in names:
            dependencies = ", ".join(modules[name]) or "—"
            lines.append(f"{name.ljust(width)}  → {dependencies}")
    lines += ["```", "", "(Parenthesised names are packages' products; a module depends only on modules listed below it.)", "", END]
    return "\n".join(lines)


def main():
    block = render(targets(PACKAGE.read_text()))
    document = DOCUMENT.read_text()
    begin, end = document.find(BEGIN), document.find(END)
    if begin < 0 or end < 0:
        sys.exit(f"{DOCUMENT}: the module-graph markers are missing")
    updated = document[:begin] + block + document[end + len(END):]
    if "--check" in sys.argv[1:]:
        if updated != document:
            sys.exit("docs/architecture.md: the module graph is out of date with Package.swift; run scripts/module-graph.py")
        return
    DOCUMENT.write_text(updated)


if __name__ == "__main__":
    main()
