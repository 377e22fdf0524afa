#!/usr/bin/env python3
"""Extract gitleaks' own true/false-positive samples into samples.jsonl.

Usage: extract.py <gitleaks checkout> [out.jsonl]

gitleaks (https://github.com/gitleaks/gitleaks, MIT) validates every rule in
cmd/generate/config/rules/*.go against two lists of strings: `tps` (must be
reported) and `fps` (must not). This script reads those Go files and keeps
only the samples that are *plain string literals*: an element of a
`[]string{...}` literal or of an `append(tps, ...)` / `append(fps, ...)` call
made only of Go string literals, optionally joined with `+`. Samples built by
function calls (`utils.GenerateSampleSecrets(...)`, `secrets.NewSecret(...)`,
`newPlausibleSecret(...)`) are random or generated and are skipped.

Each output line is a JSON object:
  {"rule": "<gitleaks rule id>", "expect": "positive"|"negative", "text": "..."}

The rule id is the `RuleID:` string literal of the Go function the list is in.
No network: run it on a checkout (or `git archive`) of gitleaks.
"""

import json
import pathlib
import re
import sys

TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>//[^\n]*|/\*.*?\*/)
    | (?P<raw>`[^`]*`)
    | (?P<str>"(?:\\.|[^"\\\n])*")
    | (?P<rune>'(?:\\.|[^'\\\n])+')
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<num>[0-9][0-9a-fA-Fx._]*)
    | (?P<op>:=|\.\.\.|&&|\|\||==|!=|<=|>=|[-+*/%&|^<>=!(){}\[\],;.:])
    """,
    re.VERBOSE | re.DOTALL,
)

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'",
           "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def go_string(tok):
    """The value of a Go string literal token."""
    kind, text = tok
    if kind == "raw":
        return text[1:-1].replace("\r", "")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        if e in ESCAPES:
            out.append(ESCAPES[e])
            i += 2
        elif e == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif e in "uU":
            n = 4 if e == "u" else 8
            out.append(chr(int(body[i + 2:i + 2 + n], 16)))
            i += 2 + n
        else:  # octal
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
    return "".join(out)


def tokens(src):
    pos, out = 0, []
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if not m:
            raise ValueError(f"cannot tokenize at {src[pos:pos + 40]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            if kind == "ws" and "\n" in m.group():
                out.append(("nl", "\n"))
            continue
        out.append((kind, m.group()))
    return out


OPEN, CLOSE = "([{", ")]}"


def group_end(toks, i):
    """Index just past the bracket group opening at toks[i]."""
    depth = 0
    while i < len(toks):
        k, t = toks[i]
        if k == "op" and t in OPEN:
            depth += 1
        elif k == "op" and t in CLOSE:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced brackets")


def split_elements(toks):
    """Split the tokens inside a bracket group at top-level commas."""
    elems, cur, depth = [], [], 0
    for k, t in toks:
        if k == "op" and t in OPEN:
            depth += 1
        elif k == "op" and t in CLOSE:
            depth -= 1
        if depth == 0 and k == "op" and t == ",":
            elems.append(cur)
            cur = []
        elif k != "nl":
            cur.append((k, t))
    if cur:
        elems.append(cur)
    return [e for e in elems if e]


def literal(elem):
    """The string if elem is string literals joined by `+`, else None."""
    if len(elem) % 2 == 0:
        return None
    parts = []
    for j, tok in enumerate(elem):
        if j % 2 == 0:
            if tok[0] not in ("raw", "str"):
                return None
            parts.append(go_string(tok))
        elif tok != ("op", "+"):
            return None
    return "".join(parts)


def samples(src):
    toks = tokens(src)
    rule = None
    i = 0
    while i < len(toks):
        k, t = toks[i]
        if k == "ident" and t == "func":
            rule = None
        if k == "ident" and t == "RuleID" and toks[i + 1] == ("op", ":"):
            nxt = toks[i + 2]
            rule = go_string(nxt) if nxt[0] in ("raw", "str") else None
        if (k == "ident" and t in ("tps", "fps") and i + 1 < len(toks)
                and toks[i + 1][1] in (":=", "=") and rule):
            expect = "positive" if t == "tps" else "negative"
            j = i + 2
            elems = []
            # `[]string{ ... }`
            if toks[j:j + 3] == [("op", "["), ("op", "]"), ("ident", "string")]:
                end = group_end(toks, j + 3)
                elems = split_elements(toks[j + 4:end - 1])
                i = end
            # `append(tps, ...)`
            elif toks[j] == ("ident", "append") and toks[j + 1] == ("op", "("):
                end = group_end(toks, j + 1)
                elems = split_elements(toks[j + 2:end - 1])[1:]
                i = end
            else:
                i = j
            for e in elems:
                text = literal(e)
                if text is not None:
                    yield rule, expect, text
            continue
        i += 1


def main():
    root = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else pathlib.Path(__file__).with_name("samples.jsonl")
    rows = []
    for f in sorted((root / "cmd/generate/config/rules").glob("*.go")):
        for rule, expect, text in samples(f.read_text()):
            rows.append({"rule": rule, "expect": expect, "text": text})
    with out.open("w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    pos = sum(r["expect"] == "positive" for r in rows)
    print(f"{len(rows)} samples: {pos} positive, {len(rows) - pos} negative -> {out}")


if __name__ == "__main__":
    main()
