#!/bin/sh
# The corpus of bad input (t/corpus, see its README): malformed and hostile
# config.json, process.json, resources and state.json files, and command
# lines, with the one error line each must give; then the cases made here:
# 1 MiB strings, huge arrays, symlinked rootfs and config.json, and mounts
# aimed out of the rootfs through symlinks, which must stay inside it.
# Every case exits non-zero with exactly one line on stderr, "ocimin: ...",
# naming the file and the JSON path for a fault in a file, and leaves no
# state dir, cgroup, mount or process behind.
# Some 470 cases: under ASan, more than lib.sh's default two minutes.
: "${OCIMIN_TEST_TIMEOUT:=400}"
. "$(dirname "$0")/lib.sh"

C=$TEST_DIR/corpus
B=$TRASH/b
ID=corpus$$

# ere_quote STRING: STRING as a grep -E pattern that matches it literally.
ere_quote() { printf '%s' "$1" | sed 's/[].^$*+?(){}|\\[]/\\&/g'; }
RE_B=$(ere_quote "$B")
RE_T=$(ere_quote "$TRASH")

# replace STRING FROM TO: $rep is STRING with every FROM made TO (no fork:
# there are hundreds of cases, and the VM's forks are slow).
replace() {
	rp_s=$1 rep=
	while :; do
		case $rp_s in
		*"$2"*) rep=$rep${rp_s%%"$2"*}$3 rp_s=${rp_s#*"$2"} ;;
		*) rep=$rep$rp_s; return ;;
		esac
	done
}

# pattern ERE [FILE]: $pat is a table's ERE with @B@ (the bundle), @T@ (this
# file's scratch dir), @F@ (FILE) and @LIVE@ (the live container) filled in.
pattern() {
	replace "$1" @B@ "$RE_B"
	replace "$rep" @T@ "$RE_T"
	replace "$rep" @LIVE@ "$LIVE"
	if [ -n "$2" ]; then
		replace "$rep" @F@ "$(ere_quote "$2")"
	fi
	pat=$rep
}

# fails_with CODE ERE CMD...: CMD exits with status CODE after printing
# exactly one line on stderr, which ERE matches.
fails_with() {
	fw_code=$1 fw_re=$2
	shift 2
	"$@" >"$TRASH/out" 2>"$TRASH/err" </dev/null
	fw_rc=$?
	[ "$fw_rc" -eq "$fw_code" ] || { echo "exit status $fw_rc, wanted $fw_code; stderr:"; cat "$TRASH/err"; return 1; }
	{ IFS= read -r fw_l1 && ! IFS= read -r fw_l2; } <"$TRASH/err" ||
		{ echo "not one line on stderr:"; cat "$TRASH/err"; return 1; }
	grep -E -e "$fw_re" "$TRASH/err" >/dev/null || { echo "no '$fw_re' in:"; cat "$TRASH/err"; return 1; }
}

# left ID: nothing of container ID is left: no state dir, no cgroup (the
# default one, /ocimin/ID on the cgroup2 mount), no mount in $TRASH. What
# builtins can tell, done after every case; check_nothing_left, which
# looks for processes too (a container's init left waiting for start
# lives until killed), after each group.
left() {
	for f in "$ROOT/$1" "$ROOT/.$1"* /sys/fs/cgroup/ocimin/"$1" /sys/fs/cgroup/unified/ocimin/"$1"; do
		test ! -e "$f" || { echo "$f left"; return 1; }
	done
	while read -r l_id l_parent l_dev l_root l_point l_rest; do
		case $l_point in "$TRASH"/*) echo "mount $l_point left"; return 1;; esac
	done </proc/self/mountinfo
}

# A bundle for the cases: a busybox rootfs, the corpus's base config.
test_expect_success 'setup: the base config of the corpus runs' '
	mkdir -p "$B" && make_rootfs "$B/rootfs" &&
	cp "$C/valid/config-base.json" "$B/config.json" &&
	oci run --bundle "$B" "$ID-base" &&
	check_nothing_left
'

# ---- config.json --------------------------------------------------------

while IFS='	' read -r name code re; do
	test_expect_success "config.json $name" '
		cp "$C/config/$name.json" "$B/config.json" &&
		pattern "$re" &&
		fails_with "$code" "$pat" oci create --bundle "$B" "$ID-$name" &&
		left "$ID-$name"
	'
done <"$C/config.expect"

test_expect_success 'the config.json cases left nothing behind' 'check_nothing_left'

# gen AWK: writes $B/config.json with the awk statements AWK, which call
# config(process, linux, mounts, extra): a config whose process, linux
# and extra top-level members are the base's where "", with "mounts" then
# the /proc mount; big(c): 1 MiB of the character c; many(n, fmt, sep):
# where config prints it, n times fmt (with the count), sep between, so
# that no huge string is built by pieces. T is $TRASH.
AWK_LIB='
function big(c,   s) { s = c; while (length(s) < 1048576) s = s s; return substr(s, 1, 1048576) }
function many(n, fmt, sep) { many_n = n; many_fmt = fmt; many_sep = sep; return "@MANY@" }
function out(s,   i, k) {
	if (!(i = index(s, "@MANY@"))) { printf "%s", s; return }
	printf "%s", substr(s, 1, i - 1)
	for (k = 0; k < many_n; k++) printf "%s" many_fmt, k ? many_sep : "", k
	printf "%s", substr(s, i + 6)
}
function config(process, linux, mounts, extra) {
	if (process == "") process = "{ \"args\": [ \"/bin/true\" ], \"cwd\": \"/\", \"env\": [ \"PATH=/bin\" ] }"
	if (linux == "") linux = "{ \"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"uts\" } ] }"
	out("{ \"ociVersion\": \"1.2.0\", \"root\": { \"path\": \"rootfs\" },\n  \"process\": ")
	out(process)
	out(",\n  \"mounts\": [ { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" }")
	out((mounts == "" ? "" : ", " mounts) " ],\n  \"linux\": ")
	out(linux)
	out((extra == "" ? "" : ",\n  " extra) " }\n")
}
'
gen() { awk -v T="$TRASH" "$AWK_LIB BEGIN { $1 }" >"$B/config.json"; }

mk_host() { gen 'config("", "", "", "\"hostname\": \"" big("x") "\"")'; }
mk_cap() { gen 'config("{ \"args\": [ \"/bin/true\" ], \"capabilities\": { \"bounding\": [ \"CAP_" big("x") "\" ] } }")'; }
mk_key() { gen 'config("", "", "", "\"annotations\": { \"" big("x") "\": 1 }")'; }
mk_args() { gen 'config("{ \"args\": [ \"/" big("x") "\" ] }")'; }
mk_mount() { gen 'config("", "", "{ \"destination\": \"/" big("x") "\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" }")'; }
mk_cgpath() { gen 'config("", "{ \"namespaces\": [ { \"type\": \"mount\" } ], \"cgroupsPath\": \"" big("x") "\" }")'; }
mk_masked() { gen 'config("", "{ \"maskedPaths\": [ " many(99999, "\"/m%d\"", ", ") ", \"m\" ] }")'; }
mk_env() { gen 'config("{ \"args\": [ \"/bin/true\" ], \"env\": [ " many(200000, "\"V%d=1\"", ", ") ", 1 ] }")'; }
mk_keys() { gen 'config("{ " many(100000, "\"k%d\": [ 0 ]", ", ") ", \"args\": [ \"/bin/true\" ], \"user\": { \"uid\": -1, \"gid\": 0 } }")'; }
mk_deep() { gen 'config("", "", "", "\"deep\": " big("[") big("]"))'; }
mk_bpf() { gen 'config("", "{ \"namespaces\": [ { \"type\": \"mount\" } ], \"seccomp\": { \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ " many(3000, "{ \"names\": [ \"read\" ], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [ { \"index\": 0, \"value\": %d, \"op\": \"SCMP_CMP_EQ\" } ] }", ", ") " ] } }")'; }

# big_case NAME ERE: create of $B fails with one line matching ERE (@B@
# the bundle) and leaves nothing.
big_case() {
	pattern "$2" &&
	fails_with 1 "$pat" oci create --bundle "$B" "$ID-$1" &&
	left "$ID-$1"
}

test_expect_success 'a 1 MiB hostname' '
	mk_host && big_case host "^ocimin: set hostname x+"
'

test_expect_success 'a 1 MiB capability name' '
	mk_cap &&
	big_case cap "^ocimin: @B@/config\\.json: process\\.capabilities\\.bounding\\[0\\]: unknown capability \"CAP_x+"
'

test_expect_success 'a 1 MiB key in an object of strings' '
	mk_key && big_case key "^ocimin: @B@/config\\.json: annotations\\.x+"
'

test_expect_success 'a 1 MiB program name' '
	mk_args && big_case args "^ocimin: exec /x+"
'

test_expect_success 'a 1 MiB mount destination' '
	mk_mount && big_case mount "^ocimin: mount tmpfs on /x+"
'

test_expect_success 'a 1 MiB cgroupsPath' '
	mk_cgpath &&
	big_case cgpath "^ocimin: @B@/config\\.json: linux\\.cgroupsPath: cgroup path too long$"
'

test_expect_success '100000 maskedPaths, the last one relative' '
	mk_masked &&
	big_case masked "^ocimin: @B@/config\\.json: linux\\.maskedPaths\\[99999\\]: expected an absolute path$"
'

test_expect_success '200000 environment variables, then a number' '
	mk_env &&
	big_case env "^ocimin: @B@/config\\.json: process\\.env\\[200000\\]: expected a string$"
'

test_expect_success '100000 unknown properties, then a bad uid' '
	mk_keys &&
	big_case keys "^ocimin: @B@/config\\.json: process\\.user\\.uid: expected an integer from 0 to 4294967295$"
'

test_expect_success 'arrays nested 1048576 deep' '
	mk_deep &&
	big_case deep "^ocimin: @B@/config\\.json: invalid JSON at byte [0-9]+: nested more than 64 levels deep$"
'

test_expect_success 'a seccomp profile too big for one BPF program' '
	mk_bpf &&
	big_case bpf "^ocimin: @B@/config\\.json: linux\\.seccomp: the filter needs more than 4096 BPF instructions$"
'

test_expect_success 'a config.json that is /dev/zero' '
	ln -sf /dev/zero "$B/config.json" &&
	big_case zero "^ocimin: @B@/config\\.json: larger than 4194304 bytes$"
'

test_expect_success 'a config.json that is a directory' '
	rm -f "$B/config.json" && mkdir "$B/config.json" &&
	big_case dir "^ocimin: read @B@/config\\.json: Is a directory$" &&
	rmdir "$B/config.json"
'

test_expect_success 'a config.json that is a dangling symlink' '
	ln -sf "$TRASH/nowhere.json" "$B/config.json" &&
	big_case dangling "^ocimin: open @B@/config\\.json: No such file or directory$"
'

# rootfs_case NAME TARGET ERE: root.path "rootfs" is a symlink to TARGET.
rootfs_case() {
	R=$TRASH/r-$1
	mkdir -p "$R" && cp "$C/valid/config-base.json" "$R/config.json" &&
	ln -s "$2" "$R/rootfs" &&
	replace "$3" @R@ "$(ere_quote "$R")" &&
	fails_with 1 "$rep" oci create --bundle "$R" "$ID-$1" &&
	left "$ID-$1" &&
	rm -rf "$R"
}

test_expect_success 'a rootfs that is a symlink to /' '
	rootfs_case slash / "^ocimin: @R@/config\\.json: root\\.path: @R@/rootfs: is the host.s root directory$"
'

test_expect_success 'a rootfs that is a symlink to ../../../..' '
	rootfs_case dotdot ../../../../../../../../../../../../../.. "^ocimin: @R@/config\\.json: root\\.path: @R@/rootfs: is the host.s root directory$"
'

test_expect_success 'a rootfs that is a symlink loop' '
	rootfs_case loop rootfs "^ocimin: @R@/config\\.json: root\\.path: @R@/rootfs: (Too many levels of symbolic links|Symbolic link loop)$"
'

test_expect_success 'a rootfs that is a dangling symlink' '
	rootfs_case dangling "$TRASH/no-rootfs" "^ocimin: @R@/config\\.json: root\\.path: @R@/rootfs: No such file or directory$"
'

test_expect_success 'a rootfs that is a symlink to a file' '
	rootfs_case file /dev/null "^ocimin: @R@/config\\.json: root\\.path: @R@/rootfs: not a directory$"
'

test_expect_success 'the generated cases left nothing behind' 'check_nothing_left'

# ---- aimed out of the rootfs: resolved inside it ---------------------------
# A mount destination or a device path that leaves the rootfs through a
# symlink or "..": create may succeed, but what it makes is inside the
# rootfs (as runc resolves them), never on the host.

# contained NAME: create of $B succeeds and nothing appears in
# $TRASH/host; deleted, the container leaves nothing.
contained() {
	oci create --bundle "$B" "$ID-$1" &&
	test -z "$(ls -A "$TRASH/host")" &&
	oci delete --force "$ID-$1" &&
	left "$ID-$1"
}

mk_mount_to() { gen "config(\"\", \"\", \"{ \\\"destination\\\": \\\"$1\\\", \\\"type\\\": \\\"tmpfs\\\", \\\"source\\\": \\\"tmpfs\\\" }\")"; }
mk_bind_to() { gen "config(\"\", \"\", \"{ \\\"destination\\\": \\\"$1\\\", \\\"type\\\": \\\"bind\\\", \\\"source\\\": \\\"\" T \"/src\\\", \\\"options\\\": [ \\\"bind\\\" ] }\")"; }
mk_device_at() { gen "config(\"\", \"{ \\\"namespaces\\\": [ { \\\"type\\\": \\\"mount\\\" } ], \\\"devices\\\": [ { \\\"path\\\": \\\"$1\\\", \\\"type\\\": \\\"c\\\", \\\"major\\\": 1, \\\"minor\\\": 3 } ] }\")"; }

test_expect_success 'setup: a host directory for the cases to aim at' '
	mkdir -p "$TRASH/host" && echo bound >"$TRASH/src"
'

test_expect_success 'a mount destination through an absolute symlink' '
	ln -sfn "$TRASH/host" "$B/rootfs/abs" &&
	mk_mount_to /abs/sub && contained abs &&
	test -d "$B/rootfs$TRASH/host/sub"
'

test_expect_success 'a mount destination through a relative symlink' '
	ln -sfn "../../../../../../../../../../..$TRASH/host" "$B/rootfs/rel" &&
	mk_mount_to /rel/sub2 && contained rel &&
	test -d "$B/rootfs$TRASH/host/sub2"
'

test_expect_success 'a mount destination with ..' '
	mk_mount_to "/../../../../../../..$TRASH/host/sub3" && contained dotdot &&
	test -d "$B/rootfs$TRASH/host/sub3"
'

test_expect_success 'a file bind mount onto a symlink out of the rootfs' '
	ln -sfn "$TRASH/host/file" "$B/rootfs/file" &&
	mk_bind_to /file && contained file &&
	test -f "$B/rootfs$TRASH/host/file"
'

test_expect_success 'a device path with ..' '
	mk_device_at "/dev/../../../../../..$TRASH/host/null" && contained device &&
	test -c "$B/rootfs$TRASH/host/null"
'

test_expect_success 'the contained cases left nothing behind' 'check_nothing_left'

# ---- process.json (exec --process), resources (update --resources),
# ---- and command lines, against a live container ------------------------

LIVE=$ID-live
test_expect_success 'setup: a created container for exec, update, kill' '
	L=$TRASH/live &&
	mkdir -p "$L" && make_rootfs "$L/rootfs" &&
	cp "$C/valid/config-base.json" "$L/config.json" &&
	oci create --bundle "$L" "$LIVE" &&
	status_is "$LIVE" created
'
LIVE_PID=$(state_field "$LIVE" pid)
LIVE_NS=$(readlink "/proc/$LIVE_PID/ns/pid" 2>/dev/null)

# live_created: the live container is still there, waiting for start.
live_created() {
	test -p "$ROOT/$LIVE/exec.fifo" && kill -0 "$LIVE_PID" ||
		{ echo "the live container is gone"; return 1; }
}

# live_alone: the live container's init is the only process of its pid
# namespace (no exec that failed left a process in it).
live_alone() {
	la_n=$(ls -l /proc/[0-9]*/ns/pid 2>/dev/null | grep -c -F -e "$LIVE_NS")
	[ "$la_n" -eq 1 ] || { echo "$la_n processes in the container's pid namespace"; return 1; }
}

while IFS='	' read -r name code re; do
	test_expect_success "process.json $name" '
		pattern "$re" "$C/process/$name.json" &&
		fails_with "$code" "$pat" oci exec --process "$C/process/$name.json" "$LIVE" &&
		live_created
	'
done <"$C/process.expect"

test_expect_success 'the process.json cases left no process' 'live_alone'

while IFS='	' read -r name code re; do
	test_expect_success "resources $name" '
		pattern "$re" "$C/resources/$name.json" &&
		fails_with "$code" "$pat" oci update --resources "$C/resources/$name.json" "$LIVE" &&
		live_created
	'
done <"$C/resources.expect"

# argv WORDS: "$@" is WORDS split at spaces, with @B@, @TRASH@ and @LIVE@
# filled in, @EMPTY@ an empty argument and @LONGID@ a 1025-byte one.
LONGID=$(awk 'BEGIN { while (n++ < 1025) printf "i" }')
argv() {
	set -f
	set -- $1
	set +f
	av_n=$#
	while [ "$av_n" -gt 0 ]; do
		av=$1
		shift
		case $av in
		@EMPTY@) av= ;;
		@LONGID@) av=$LONGID ;;
		*) replace "$av" @B@ "$B" && replace "$rep" @TRASH@ "$TRASH" &&
		   replace "$rep" @LIVE@ "$LIVE" && av=$rep ;;
		esac
		set -- "$@" "$av"
		av_n=$((av_n - 1))
	done
	fails_with "$code" "$pat" oci "$@"
}

: >"$TRASH/afile"
mkdir -p "$TRASH/nobundle"
while IFS='	' read -r code re words; do
	test_expect_success "ocimin $words" '
		cp "$C/valid/config-base.json" "$B/config.json" &&
		pattern "$re" && argv "$words" &&
		test ! -e "$TRASH.ocimin-tmp" && live_created &&
		for d in "$ROOT"/*; do
			[ "$d" = "$ROOT/$LIVE" ] || { echo "$d left"; exit 1; }
		done &&
		left "$ID-none"
	'
done <"$C/argv.expect"

test_expect_success 'the command lines left no process in the container' 'live_alone'

test_expect_success 'an id with a newline is refused on one line' '
	fails_with 1 "^ocimin: invalid container id \"a.b\": " oci create --bundle "$B" "a
b" &&
	left "a
b"
'

test_expect_success 'the live container is deleted; nothing is left' '
	oci delete --force "$LIVE" && check_nothing_left
'

# ---- state.json ------------------------------------------------------------
# A container whose state.json is bad: state says so on one line, and
# delete --force still removes it.

while IFS='	' read -r name code re; do
	test_expect_success "state.json $name" '
		S=$ROOT/$ID-$name &&
		mkdir "$S" && cp "$C/state/$name.json" "$S/state.json" &&
		pattern "$re" "$S/state.json" &&
		fails_with "$code" "$pat" oci state "$ID-$name" &&
		oci delete --force "$ID-$name" 2>/dev/null &&
		left "$ID-$name"
	'
done <"$C/state.expect"

test_expect_success 'a state.json naming a process that is not the container' '
	sleep 60 </dev/null >/dev/null 2>&1 &
	sp=$! &&
	S=$ROOT/$ID-pid && mkdir "$S" &&
	printf "{ \"id\": \"%s\", \"pid\": %d, \"start_time\": 1, \"bundle\": \"%s\", \"cgroup\": \"\" }\n" \
		"$ID-pid" "$sp" "$B" >"$S/state.json" &&
	status_is "$ID-pid" stopped &&
	test_must_fail oci kill "$ID-pid" KILL 2>err &&
	oci delete --force "$ID-pid" &&
	kill -0 "$sp" && kill "$sp" &&
	left "$ID-pid"
'

test_done
