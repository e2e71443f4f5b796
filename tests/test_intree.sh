#!/bin/sh
# test_intree.sh - tools/quickstart and tools/check beside an in-tree build
# (issue 13, item 8): when the tree is configured at the top (config.status
# there), configure refuses a build directory beside it, so both build in
# place with that configuration instead of failing, and leave it as it is.
# Stub trees (the real scripts, stub configure, make and federation), so
# this takes a second; tools/check-intree does the real build.
. "${TOP_SRCDIR:?run from make check}/tests/lib.sh"

# stub DIR: a tree configured in place whose configure behaves as autoconf's
# does then, and whose make builds "binaries" that say where they are.
stub() {
	mkdir -p "$1/tools" "$1/tests"
	cp "$TOP_SRCDIR/tools/quickstart" "$TOP_SRCDIR/tools/check" "$1/tools/"
	printf '#!/bin/sh\nexit 0\n' >"$1/tools/deps"
	printf '#!/bin/sh\nexit 0\n' >"$1/tools/check-style"
	cat >"$1/configure" <<'EOS'
#!/bin/sh
# autoconf's check, as configure runs it outside the source directory
top=$(cd "$(dirname "$0")" && pwd)
if [ "$top" != "$(pwd)" ] && [ -f "$top/config.status" ]; then
	echo 'configure: error: source directory already configured; run "make distclean" there first' >&2
	exit 1
fi
printf 'all:\n\t@true\ncheck:\n\t@true\n' >Makefile
EOS
	cat >"$1/config.status" <<'EOS'
#!/bin/sh
[ "$1" = --config ] && echo "'--prefix=/usr'"
exit 0
EOS
	cat >"$1/Makefile" <<'EOS'
all:
	@mkdir -p tools node && printf 'in place\n' >tools/lasteri && printf 'in place\n' >node/lasterid
check: all
	@printf '1 passed, 0 failed\n' >tests/test_stub.log && printf ':test-result: PASS\n' >tests/test_stub.trs
EOS
	cat >"$1/tools/federation" <<'EOS'
#!/bin/sh
# Records which lasterid quickstart chose, then "starts" nothing.
case $1 in
up) mkdir -p "$2/members"; echo "$LASTERID" >"$2/../lasterid.used"; exit 3 ;;
esac
exit 0
EOS
	chmod +x "$1/tools/"* "$1/configure" "$1/config.status"
	touch "$1/configure.ac" "$1/Makefile.am"
	sleep 0.01
	touch "$1/configure" "$1/Makefile.in"
}
Q=$T_DIR/qs
stub "$Q"
t_expect 3 "quickstart gets past the build beside an in-tree build" \
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$Q/tools/quickstart"
t_grep "  it builds in place" '^== Building in place' "$T_DIR/out"
t_grep "  and uses that build's lasterid" "^$Q/node/lasterid\$" "$Q/build/quickstart/lasterid.used"
t_expect 1 "  it makes no build/release beside it" test -d "$Q/build/release"
t_expect 0 "  and leaves the in-tree configuration as it was" test -f "$Q/config.status"

C=$T_DIR/ck
stub "$C"
t_expect 0 "tools/check works beside an in-tree build" \
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL CHECK_INTREE=no "$C/tools/check"
t_grep "  it says it builds and tests in place, with which options" \
    "^check: this tree is configured in place \('--prefix=/usr'\): building and testing here, WITHOUT the sanitizers" "$T_DIR/out"
t_grep "  and counts the tests it ran there" '^check: 1 passed, 0 failed$' "$T_DIR/out"
t_expect 1 "  it makes no build/check beside it" test -d "$C/build/check"

t_finish
