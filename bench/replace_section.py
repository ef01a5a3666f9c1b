"""Puts a section (read from stdin) between its markers in a Markdown file, or appends it with them.

usage: replace_section.py NAME FILE < section
The section must begin with <!-- NAME:begin --> and end with <!-- NAME:end -->.
"""
import re
import sys

name, path = sys.argv[1], sys.argv[2]
section = sys.stdin.read().strip("\n")
text = open(path).read()
pattern = re.compile(rf"<!-- {re.escape(name)}:begin -->.*?<!-- {re.escape(name)}:end -->", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
