#!/bin/sh
# test_apidoc.sh - every endpoint of the admin socket is documented (issue
# 13, item 7): the routes registered for the admin listener are read from
# the C sources (httpd_route() calls with HTTPD_ADMIN, their path a string,
# a macro or a routes[] table's entries) and each must have an entry, its
# method and path on a .It line, in lasterid(8)'s "Admin API" subsection;
# every endpoint path that subsection lists must be a registered admin route.
# The extraction must find at least MIN routes and a route of each kind it
# knows, so that a broken extraction cannot pass by finding nothing; and the
# check itself is checked on a man page with an entry removed and on sources
# with a route added.
. "${TOP_SRCDIR:?run from make check}/tests/lib.sh"
MAN=$TOP_SRCDIR/node/lasterid.8

cat >"$T_DIR/apidoc.py" <<'EOP'
"""apidoc.py MAN SOURCE...: the admin routes of SOURCE against MAN."""
import re
import sys

MIN_ROUTES = 25
# One route of each kind the extraction handles: a literal path, a macro in
# the .c file, macros concatenated from a header, a prefix route, and both
# shapes of routes[] table (with and without a methods field).
SENTINELS = [
    ("POST", "/admin/v1/backup"),
    ("GET", "/admin/v1/queries"),
    ("POST", "/admin/v1/users/"),
    ("GET", "/v1/records/"),
    ("POST", "/admin/v1/import"),
    ("GET", "/v1/log/leaves"),
]
LISTENERS = {"HTTPD_FEDERATION", "HTTPD_ADMIN", "HTTPD_WEB"}
METHODS = {"HTTPD_GET": "GET", "HTTPD_POST": "POST", "HTTPD_PUT": "PUT",
           "HTTPD_DELETE": "DELETE"}
problems = []


def strip_comments(s):
    """C source without its comments; strings and characters are kept."""
    out, i, n = [], 0, len(s)
    while i < n:
        c = s[i]
        if c in "\"'":
            j = i + 1
            while j < n and s[j] != c:
                j += 2 if s[j] == "\\" else 1
            out.append(s[i:j + 1])
            i = j + 1
        elif s.startswith("/*", i):
            j = s.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif s.startswith("//", i):
            j = s.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_top(s, sep=","):
    """s split at the separators outside strings and brackets."""
    parts, depth, cur, i = [], 0, [], 0
    while i < len(s):
        c = s[i]
        if c == '"':
            j = i + 1
            while j < len(s) and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            cur.append(s[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def balanced(s, i, open_c, close_c):
    """The text between s[i] == open_c and its match, and the end."""
    depth, j = 0, i
    while j < len(s):
        c = s[j]
        if c == '"':
            j += 1
            while j < len(s) and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
        elif c == open_c:
            depth += 1
        elif c == close_c:
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j
        j += 1
    return None, len(s)


TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[A-Za-z_]\w*)')


def string_of(expr, macros, seen=()):
    """The string a C expression of literals and macros makes, or None."""
    out, i = [], 0
    expr = expr.strip()
    if not expr:
        return None
    while i < len(expr):
        m = TOKEN.match(expr, i)
        if m is None:
            return None
        tok = m.group(1)
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok in macros and tok not in seen:
            v = string_of(macros[tok], macros, seen + (tok,))
            if v is None:
                return None
            out.append(v)
        else:
            return None
        i = m.end()
        while i < len(expr) and expr[i].isspace():
            i += 1
    return "".join(out)


def flags(expr, known):
    toks = [t.strip() for t in expr.split("|")]
    if not toks or any(t not in known for t in toks):
        return None
    return set(toks)


man_path, sources = sys.argv[1], sys.argv[2:]
texts, macros = {}, {}
for f in sources:
    texts[f] = strip_comments(open(f, encoding="utf-8").read())
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(.*)$",
                         texts[f], re.M):
        macros.setdefault(m.group(1), m.group(2).strip())

routes = set()  # (method, path)
for f, s in texts.items():
    if not f.endswith(".c"):
        continue
    for m in re.finditer(r"\bhttpd_route\s*\(", s):
        body, _ = balanced(s, m.end() - 1, "(", ")")
        args = split_top(body or "")
        if args and args[0].startswith("struct "):
            continue  # the definition
        where = "%s:%d" % (f.rsplit("/", 1)[-1], s.count("\n", 0, m.start()) + 1)
        if len(args) != 7:
            problems.append("%s: httpd_route() with %d arguments" %
                            (where, len(args)))
            continue
        lis = flags(args[1], LISTENERS)
        if lis is None:
            problems.append("%s: cannot read the listeners '%s'" %
                            (where, args[1]))
            continue
        if "HTTPD_ADMIN" not in lis:
            continue
        entries = []  # (methods expression, path)
        path = string_of(args[3], macros)
        tm = re.fullmatch(r"(\w+)\[\w+\]\.path", args[3])
        if path is not None:
            entries.append((args[2], path))
        elif tm:
            # The table's initializer: the last one before the call.
            decl = None
            for d in re.finditer(r"\b%s\s*\[\s*\]\s*=\s*\{" % tm.group(1),
                                 s[:m.start()]):
                decl = d
            if decl is None:
                problems.append("%s: no %s[] table before it" %
                                (where, tm.group(1)))
                continue
            inner, _ = balanced(s, decl.end() - 1, "{", "}")
            for ent in split_top(inner or ""):
                fields = split_top(ent.strip()[1:-1]) \
                    if ent.strip().startswith("{") else []
                paths = [p for p in (string_of(x, macros) for x in fields)
                         if p is not None and p.startswith("/")]
                meth = [x for x in fields if flags(x, METHODS)]
                if len(paths) != 1:
                    problems.append("%s: cannot read the %s[] entry '%s'" %
                                    (where, tm.group(1), ent.strip()))
                    continue
                if re.fullmatch(r"%s\[\w+\]\.methods" % tm.group(1), args[2]):
                    if len(meth) != 1:
                        problems.append("%s: no methods in the %s[] entry "
                                        "'%s'" % (where, tm.group(1), ent))
                        continue
                    entries.append((meth[0], paths[0]))
                else:
                    entries.append((args[2], paths[0]))
        else:
            problems.append("%s: cannot read the path '%s' (a string, a "
                            "macro or TABLE[i].path)" % (where, args[3]))
            continue
        for mexpr, p in entries:
            ms = flags(mexpr, METHODS)
            if ms is None:
                problems.append("%s: cannot read the methods '%s'" %
                                (where, mexpr))
                continue
            for x in ms:
                routes.add((METHODS[x], p))

if len(routes) < MIN_ROUTES:
    problems.append("only %d admin routes found (at least %d expected): the "
                    "extraction is broken" % (len(routes), MIN_ROUTES))
for r in SENTINELS:
    if r not in routes:
        problems.append("the extraction missed %s %s" % r)

# The subsection: from ".Ss Admin API" to the next .Ss or .Sh.
section, inside = [], False
for line in open(man_path, encoding="utf-8"):
    if line.startswith(".Ss Admin API"):
        inside = True
        continue
    if inside and (line.startswith(".Ss ") or line.startswith(".Sh ")):
        break
    if inside:
        section.append(line.rstrip("\n"))
items = [l for l in section if l.startswith(".It ")]
if len(items) < MIN_ROUTES // 2:
    problems.append("%s: no Admin API subsection with its entries (%d .It "
                    "lines)" % (man_path, len(items)))


def documented(method, path):
    pat = r"(?<!\S)" + re.escape(path) + \
        ("" if path.endswith("/") else r"(?=$|[\s?,])")
    return any(re.search(r"(?<!\S)%s(?!\S)" % method, l) and
               re.search(pat, l) for l in items)


for method, path in sorted(routes, key=lambda r: (r[1], r[0])):
    if not documented(method, path):
        problems.append("%s %s: no entry in lasterid(8)'s Admin API" %
                        (method, path))
for l in items:
    for tok in re.findall(r"(?<!\S)(/(?:admin/|v1/)[^\s?,]*)", l) + \
            re.findall(r"\b(?:GET|POST|PUT|DELETE)\s+(/[^\s?,]*)", l):
        if not any(tok == p or (p.endswith("/") and tok.startswith(p))
                   for _, p in routes):
            problems.append("%s: documented in Admin API, not an admin "
                            "route" % tok)
print("%d routes" % len(routes))
for p in problems:
    print(p)
print("%d problems" % len(problems))
EOP

check() { # check OUT MAN [EXTRA.c]
	/usr/bin/python3 "$T_DIR/apidoc.py" "$2" "$TOP_SRCDIR"/node/*.c \
	    "$TOP_SRCDIR"/node/*.h "$TOP_SRCDIR"/federation/*.h ${3:+"$3"} \
	    >"$1" 2>&1
}

check "$T_DIR/doc" "$MAN"
if grep -q '^0 problems$' "$T_DIR/doc"; then
	t_ok "every admin route has an entry in lasterid(8)'s Admin API ($(head -1 "$T_DIR/doc"))"
else
	t_fail "every admin route has an entry in lasterid(8)'s Admin API" "$(head -c 2000 "$T_DIR/doc")"
fi

# The check fails when an entry is missing...
grep -v '^\.It Li POST /admin/v1/backup' "$MAN" >"$T_DIR/less.8"
check "$T_DIR/less" "$T_DIR/less.8"
t_grep "an entry removed from the man page is reported" \
    '^POST /admin/v1/backup: no entry' "$T_DIR/less"
t_grep "... and only that one" '^1 problems$' "$T_DIR/less"

# ... and when a route is added without one.
cat >"$T_DIR/extra.c" <<'EOC'
#define EXTRA_PREFIX "/admin/v1/extra"
int
extra_register(struct node *n, struct err *e)
{
	return httpd_route(n->httpd, HTTPD_ADMIN | HTTPD_FEDERATION,
	    HTTPD_GET | HTTPD_DELETE, EXTRA_PREFIX "/thing", h_extra, n, e);
}
EOC
check "$T_DIR/more" "$MAN" "$T_DIR/extra.c"
t_grep "an undocumented admin route is reported (GET)" \
    '^GET /admin/v1/extra/thing: no entry' "$T_DIR/more"
t_grep "an undocumented admin route is reported (DELETE)" \
    '^DELETE /admin/v1/extra/thing: no entry' "$T_DIR/more"

# A documented endpoint that is no route is reported too.
sed 's|^\.It Li GET /admin/v1/queries|.It Li GET /admin/v1/querys|' "$MAN" >"$T_DIR/typo.8"
check "$T_DIR/typo" "$T_DIR/typo.8"
t_grep "an entry for no route is reported" \
    '^/admin/v1/querys: documented in Admin API, not an admin route' "$T_DIR/typo"

# An extraction that finds nothing fails.
/usr/bin/python3 "$T_DIR/apidoc.py" "$MAN" "$T_DIR/extra.c" >"$T_DIR/none" 2>&1
t_grep "an extraction that finds too few routes fails" \
    'admin routes found \(at least [0-9]+ expected\)' "$T_DIR/none"

t_finish
