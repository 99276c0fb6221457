#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the relative links of README.md and docs/*.md.

    scripts/doc-links.py [FILE.md...]

Every link or image that is not a URL must name a file or directory that
exists, relative to the document, and its #anchor, if any, must be a
heading of the target (GitHub's rule: lower case, punctuation other than
'-' and '_' dropped, spaces made '-', a repeated heading numbered -1,
-2...).  Links inside code (fenced blocks, indented blocks, `spans`) are
not links.  Prints each broken link as FILE:LINE: LINK: WHY; exits 1 if
there is one.
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINK = re.compile(r'!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)')


def text_lines(path):
    """(line number, text, text without code spans) of the lines outside
    code blocks."""
    fence = False
    prev_blank = True
    in_indented = False
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if line.startswith('```'):
                fence = not fence
                continue
            if fence:
                continue
            if line.startswith('    ') and (prev_blank or in_indented):
                in_indented = True
                continue
            in_indented = False
            prev_blank = line.strip() == '' or line.startswith('<!--')
            yield n, line, re.sub(r'`[^`]*`', '', line)


def anchors(path):
    """The anchors GitHub makes for the headings of a Markdown file."""
    seen = {}
    out = set()
    for _, line, _ in text_lines(path):
        m = re.match(r'#{1,6}\s+(.*?)\s*#*\s*$', line)
        if not m:
            continue
        title = m.group(1).replace('`', '')
        slug = re.sub(r'[^\w\- ]', '', title.lower()).replace(' ', '-')
        if slug in seen:
            seen[slug] += 1
            slug = '%s-%d' % (slug, seen[slug])
        else:
            seen[slug] = 0
        out.add(slug)
    return out


def main(files):
    bad = 0
    for doc in files:
        base = os.path.dirname(os.path.abspath(doc))
        for n, _, line in text_lines(doc):
            for m in LINK.finditer(line):
                link = m.group(1)
                if re.match(r'[a-z][a-z0-9+.-]*:', link):
                    continue
                target, _, anchor = link.partition('#')
                path = os.path.normpath(os.path.join(base, target)) if target else os.path.abspath(doc)
                why = None
                if not os.path.exists(path):
                    why = 'no such file'
                elif anchor and not path.endswith('.md'):
                    why = 'an anchor in a file that is not Markdown'
                elif anchor and anchor not in anchors(path):
                    why = 'no heading makes #%s in %s' % (anchor, os.path.relpath(path, TOP))
                if why:
                    print('%s:%d: %s: %s' % (os.path.relpath(doc, TOP), n, link, why))
                    bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    args = sys.argv[1:]
    if not args:
        docs = os.path.join(TOP, 'docs')
        args = [os.path.join(TOP, 'README.md')] + sorted(
            os.path.join(docs, f) for f in os.listdir(docs) if f.endswith('.md'))
    sys.exit(main(args))
