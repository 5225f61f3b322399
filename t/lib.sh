# t/lib.sh - shared test library, shaped after git's t/test-lib.sh.
# Sourced by every t/NNNN-*.t; POSIX sh, busybox-compatible (the suite also
# runs inside a VM whose userland is busybox alone).
#
#   test_expect_success 'what the user sees' 'commands'
#   test_skip_unless COND_FN 'reason'    skip the rest when COND_FN fails
#   test_done
#
# Write each test body as ONE chain of commands joined by &&: the body runs
# under `set -e`, but set -e does not stop at a failing command on the left
# of && or after `!`, so only a full chain fails where it should.
#
# Each test file gets a private scratch dir ($TRASH) and a private state
# root ($ROOT), so files can run in parallel and leave nothing behind.
# Every ocimin started through oci/ocimin and every container made by
# make_bundle carries OCIMIN_TEST_MARK=$MARK in its environment, which is
# how check_nothing_left finds processes this file left behind.

TEST_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$TEST_DIR/.." && pwd)
OCIMIN=${OCIMIN:-$TOP/ocimin}
PROBE=${PROBE:-$TEST_DIR/probe}
TEST_NAME=$(basename "$0" .t)
TRASH=${TMPDIR:-/tmp}/ocimin-trash.$TEST_NAME.$$
ROOT=$TRASH/root
MARK=ocimin-test.$TEST_NAME.$$
test_count=0
test_failed=0
test_skip_reason=

rm -rf "$TRASH" && mkdir -p "$TRASH" "$ROOT" || exit 1
cd "$TRASH" || exit 1

say() { printf '# %s\n' "$*"; }

# A test file that hangs (a runtime that never returns) is killed, without
# a plan so that it fails, and what it left is cleaned up, instead of
# hanging the suite. The sleep holds no copy of stdout, so prove does not
# wait for it once the file is done.
test_watchdog() {
	(
		trap 'kill $sp 2>/dev/null; exit 0' TERM
		sleep "${OCIMIN_TEST_TIMEOUT:-120}" </dev/null >/dev/null 2>&1 &
		sp=$!
		wait $sp || exit 0
		echo "# $TEST_NAME: timed out after ${OCIMIN_TEST_TIMEOUT:-120}s"
		kill -TERM $$
		test_cleanup
		cd / && rm -rf "$TRASH"
	) &
	test_watchdog_pid=$!
}

# The runtime, marked; `oci` adds this file's private state root.
ocimin() { OCIMIN_TEST_MARK=$MARK "$OCIMIN" "$@"; }
oci() { ocimin --root "$ROOT" "$@"; }

# oci_bg ARGS...: oci in the background, with $oci_pid the runtime's own
# pid (not a subshell's), to signal it. Its stdin is /dev/null.
oci_bg() {
	( OCIMIN_TEST_MARK=$MARK exec "$OCIMIN" --root "$ROOT" "$@" ) &
	oci_pid=$!
}

test_expect_success() {
	test_count=$((test_count + 1))
	if [ -n "$test_skip_reason" ]; then
		echo "ok $test_count # skip $1 ($test_skip_reason)"
		return 0
	fi
	# Not inside `if`: set -e is ignored in a condition, subshells included.
	( set -e; eval "$2" ) </dev/null >"$TRASH/out.$test_count" 2>&1
	test_rc=$?
	if [ "$test_rc" -eq 0 ]; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#	/' "$TRASH/out.$test_count"
	fi
}

# Skip every later test of this file when "$1" fails. Only for what the
# host truly cannot do; the VM pass runs what this host skips.
test_skip_unless() {
	if ! "$1" >/dev/null 2>&1; then
		test_skip_reason=$2
		[ -n "$OCIMIN_TEST_NOSKIP" ] && {
			test_count=$((test_count + 1))
			test_failed=$((test_failed + 1))
			echo "not ok $test_count - required: $2"
		}
	fi
}

# Removes what a failed test left, so one failure does not leak processes
# or mounts into the host.
test_cleanup() {
	for d in "$ROOT"/*; do
		[ -e "$d" ] || continue
		say "leftover container ${d##*/}: deleting"
		oci delete --force "${d##*/}" >/dev/null 2>&1
	done
	for p in $(leftover_pids); do
		say "leftover process $p: killing"
		kill -9 "$p" 2>/dev/null
	done
	# Never rm -rf through a mount that points elsewhere.
	trash_mounts | sort -r | while read -r m; do
		say "leftover mount $m: unmounting"
		umount -l "$m"
	done
}

# A file whose tests pass but leave something behind fails too.
test_done() {
	kill "$test_watchdog_pid" 2>/dev/null
	if ! check_nothing_left >"$TRASH/out.left" 2>&1; then
		test_count=$((test_count + 1))
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - the tests of $TEST_NAME left nothing behind"
		sed 's/^/#	/' "$TRASH/out.left"
	fi
	test_cleanup
	echo "1..$test_count"
	cd / && rm -rf "$TRASH"
	[ "$test_failed" -eq 0 ]
}

# ---- assertions -------------------------------------------------------

# Fails unless the file $1 contains the (grep -E) pattern $2; shows it if not.
test_grep() {
	grep -E -e "$2" "$1" >/dev/null || { echo "no '$2' in $1:"; cat "$1"; return 1; }
}

# Fails if the file $1 contains the (grep -E) pattern $2.
test_grep_not() {
	! grep -E -e "$2" "$1" >/dev/null || { echo "unexpected '$2' in $1:"; cat "$1"; return 1; }
}

# test_cmp EXPECTED ACTUAL: the files are equal, else shows the diff.
test_cmp() { diff -u "$1" "$2"; }

# test_must_fail CMD...: CMD exits non-zero, and not by a signal or a
# missing command (a crash is not the failure a test expects).
test_must_fail() {
	"$@"
	tmf_rc=$?
	if [ "$tmf_rc" -eq 0 ]; then
		echo "test_must_fail: $* succeeded"; return 1
	elif [ "$tmf_rc" -gt 128 ] || [ "$tmf_rc" -eq 127 ]; then
		echo "test_must_fail: $* died with status $tmf_rc"; return 1
	fi
	return 0
}

# test_expect_code N CMD...: CMD exits with status N.
test_expect_code() {
	tec_want=$1
	shift
	"$@"
	tec_rc=$?
	[ "$tec_rc" -eq "$tec_want" ] || { echo "$*: exit $tec_rc, wanted $tec_want"; return 1; }
}

# retry N CMD...: runs CMD up to N times, 0.05s apart, until it succeeds.
retry() {
	r_n=$1
	shift
	while [ "$r_n" -gt 0 ]; do
		"$@" && return 0
		r_n=$((r_n - 1))
		sleep 0.05
	done
	echo "retry: gave up on: $*"
	return 1
}

# gone PID: no such process, or only a zombie waiting for its parent.
gone() {
	g_stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	g_stat=${g_stat##*) }
	case $g_stat in Z*|X*) return 0;; esac
	echo "process $1 is alive: $g_stat"
	return 1
}

# ---- state ------------------------------------------------------------

# state_field ID FIELD: FIELD's scalar value in `oci state ID` (quotes off).
state_field() {
	oci state "$1" | tr -d '\n' |
		sed -n 's/.*"'"$2"'"[[:space:]]*:[[:space:]]*"\{0,1\}\([^",}]*\).*/\1/p'
}

status_is() { test "$(state_field "$1" status)" = "$2"; }

# The pids of processes carrying this file's mark, other than ourselves.
leftover_pids() {
	for f in $(grep -l -s -z -x -F -e "OCIMIN_TEST_MARK=$MARK" /proc/[0-9]*/environ); do
		p=${f#/proc/}
		echo "${p%/environ}"
	done
	# A process chrooted into a bundle of ours (a pivoted one shows "/").
	ls -l /proc/[0-9]*/root 2>/dev/null |
		sed -n "\\| -> $TRASH/|s|.* /proc/\\([0-9]*\\)/root -> .*|\\1|p"
}

# Mount points of the host under $TRASH (none should outlive a test).
trash_mounts() {
	while read -r tm_id tm_parent tm_dev tm_root tm_point tm_rest; do
		case $tm_point in "$TRASH"|"$TRASH"/*) echo "$tm_point";; esac
	done </proc/self/mountinfo
}

# check_nothing_left [ID]: nothing of container ID is left (of any
# container when no ID): no state, no process of this file, no mount in
# $TRASH. A dying process gets a second to go.
check_nothing_left() {
	if [ -n "$1" ]; then
		for f in "$ROOT/$1" "$ROOT/$1".* "$ROOT/.$1"*; do
			test ! -e "$f" || { echo "state $f left"; return 1; }
		done
	else
		for f in "$ROOT"/* "$ROOT"/.[!.]* "$ROOT"/..?*; do
			test ! -e "$f" || { echo "state left in $ROOT:"; ls -lA "$ROOT"; return 1; }
		done
	fi
	cnl_m=$(trash_mounts)
	[ -z "$cnl_m" ] || { echo "mounts left: $cnl_m"; return 1; }
	cnl_n=20
	while [ -n "$(leftover_pids)" ]; do
		cnl_n=$((cnl_n - 1))
		[ "$cnl_n" -gt 0 ] || {
			for p in $(leftover_pids); do
				echo "process $p left: $(tr '\0' ' ' <"/proc/$p/cmdline")"
			done
			return 1
		}
		sleep 0.05
	done
}

# ---- cgroups ----------------------------------------------------------

# cgroup_tests_setup: sets CG, the cgroup2 mount ocimin uses (empty when
# there is none): /sys/fs/cgroup if it is one, else the first
# (/sys/fs/cgroup/unified on a hybrid host). For the 4xxx files, with the
# helpers below.
cgroup_tests_setup() {
	CG=$(cgroup2_mounts | grep -x /sys/fs/cgroup || cgroup2_mounts | head -n 1)
}
cgroup2_mounts() {
	while read -r _ _ _ cm_root cm_point cm_rest; do
		case $cm_rest in *" - cgroup2 "*) [ "$cm_root" = / ] && echo "$cm_point";; esac
	done </proc/self/mountinfo
}
have_cgroup2() { [ -n "$CG" ]; }
# cg_has CONTROLLER: CG's root offers it
cg_has() { [ -n "$CG" ] && grep -qw "$1" "$CG/cgroup.controllers"; }
# nothing_of ID: no state and no cgroup of container ID
nothing_of() { check_nothing_left "$1" && test ! -e "$CG/ocimin/$1"; }

# ---- bundles ----------------------------------------------------------

# make_rootfs DIR: a busybox root with the probe at /probe. Copied from a
# template made once per file: a fork per applet link is slow.
make_rootfs() {
	mr_t=$TRASH/.rootfs-template
	if [ ! -d "$mr_t" ]; then
		mkdir -p "$mr_t.new/bin" "$mr_t.new/dev" "$mr_t.new/proc" "$mr_t.new/sys" \
			"$mr_t.new/tmp" "$mr_t.new/etc" "$mr_t.new/root" || return 1
		chmod 1777 "$mr_t.new/tmp" &&
		cp /bin/busybox "$mr_t.new/bin/busybox" || return 1
		for a in sh cat echo ls true false sleep id hostname mount grep sed \
			 stat readlink touch mkdir rm env pwd kill ps head wc test \
			 umask domainname ln cut tr sort ip sysctl uptime chown mknod seq; do
			ln -sf busybox "$mr_t.new/bin/$a" || return 1
		done
		[ -x "$PROBE" ] || { echo "no $PROBE: run make t/probe"; return 1; }
		cp "$PROBE" "$mr_t.new/probe" || return 1
		echo 'root:x:0:0:root:/root:/bin/sh' >"$mr_t.new/etc/passwd"
		echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >>"$mr_t.new/etc/passwd"
		echo 'root:x:0:' >"$mr_t.new/etc/group"
		mv "$mr_t.new" "$mr_t" || return 1
	fi
	mkdir -p "$1" && cp -af "$mr_t/." "$1/"
}

# make_bundle DIR ARGS_JSON [EXTRA_LINUX_JSON] [EXTRA_TOP_JSON]
# Writes DIR/rootfs and a config.json like `runc spec`'s default, with
# process.args set to ARGS_JSON (e.g. '["/bin/true"]') and terminal false.
# EXTRA_LINUX_JSON is spliced into "linux" and EXTRA_TOP_JSON into the top
# object, each with a leading comma when not empty. config_set and
# add_mounts change the result; keys they know sit on one line each.
make_bundle() {
	dir=$1 args=$2 extra_linux=$3 extra_top=$4
	mkdir -p "$dir" && make_rootfs "$dir/rootfs" || return 1
	cat >"$dir/config.json" <<JSON
{
	"ociVersion": "1.2.0",
	"process": {
		"user": { "uid": 0, "gid": 0 },
		"args": $args,
		"env": [ "PATH=/bin:/usr/bin", "TERM=xterm", "OCIMIN_TEST_MARK=$MARK" ],
		"cwd": "/",
		"capabilities": { "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ], "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ], "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ] },
		"rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
		"noNewPrivileges": true,
		"terminal": false
	},
	"root": { "path": "rootfs", "readonly": true },
	"hostname": "ocimin-test",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
		  "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
		{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
		  "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
		{ "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
		  "options": [ "nosuid", "noexec", "nodev" ] },
		{ "destination": "/sys", "type": "sysfs", "source": "sysfs",
		  "options": [ "nosuid", "noexec", "nodev", "ro" ] },
		{ "destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "nodev" ] }
	],
	"linux": {
		"namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }, { "type": "cgroup" } ],
		"maskedPaths": [ "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi" ],
		"readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]${extra_linux:+,$extra_linux}
	}${extra_top:+,$extra_top}
}
JSON
}

# make_sh_bundle DIR SCRIPT [EXTRA_LINUX_JSON] [EXTRA_TOP_JSON]: a bundle
# whose process is `/bin/sh /payload`, /payload being SCRIPT, with a
# writable /shared (add_shared).
make_sh_bundle() {
	make_bundle "$1" '["/bin/sh", "/payload"]' "$3" "$4" &&
	printf '%s\n' "$2" >"$1/rootfs/payload" &&
	add_shared "$1"
}

# The payload of a container that waits: it touches /shared/started, then
# exits 0 once the test creates $DIR/shared/stop.
WAITER='touch /shared/started
while [ ! -e /shared/stop ]; do sleep 0.05; done'

# wait_file PATH: PATH appears within 5 seconds.
wait_file() { retry 100 test -e "$1"; }

# config_set DIR KEY JSON: sets the one-line KEY of DIR/config.json
# (user, args, env, cwd, capabilities, rlimits, noNewPrivileges, terminal,
# root, hostname, namespaces, maskedPaths, readonlyPaths) to JSON.
config_set() {
	CS_KEY=$2 CS_VALUE=$3 awk '
		!done && index($0, "\"" ENVIRON["CS_KEY"] "\":") {
			match($0, /^[ \t]*/)
			comma = ($0 ~ /,[ \t]*$/) ? "," : ""
			$0 = substr($0, 1, RLENGTH) "\"" ENVIRON["CS_KEY"] "\": " ENVIRON["CS_VALUE"] comma
			done = 1
		}
		{ print }
		END { if (!done) { print "config_set: no key " ENVIRON["CS_KEY"] > "/dev/stderr"; exit 1 } }
	' "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"
}

# config_del DIR KEY: removes the one-line KEY (never the last of its object).
config_del() {
	CS_KEY=$2 awk '
		!done && index($0, "\"" ENVIRON["CS_KEY"] "\":") { done = 1; next }
		{ print }
		END { if (!done) { print "config_del: no key " ENVIRON["CS_KEY"] > "/dev/stderr"; exit 1 } }
	' "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"
}

# add_mounts DIR JSON: appends JSON (one or more mount objects, comma
# separated) to the end of DIR/config.json's mounts.
add_mounts() {
	AM_JSON=$2 awk '
		/^\t"mounts": \[/ { in_mounts = 1 }
		in_mounts && /^\t\],?$/ { print "\t\t, " ENVIRON["AM_JSON"]; in_mounts = 0; done = 1 }
		{ print }
		END { if (!done) { print "add_mounts: no mounts in config" > "/dev/stderr"; exit 1 } }
	' "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"
}

# add_bind DIR HOSTPATH DEST [OPTION...]: bind-mounts HOSTPATH (made a
# directory when missing) at DEST, with the options given (rbind when one
# of them is "rbind", else bind).
add_bind() {
	ab_dir=$1 ab_src=$2 ab_dst=$3 ab_kind=bind ab_opts=
	shift 3
	for o in "$@"; do
		[ "$o" = rbind ] && ab_kind=rbind && continue
		ab_opts="$ab_opts, \"$o\""
	done
	[ -e "$ab_src" ] || mkdir -p "$ab_src" || return 1
	add_mounts "$ab_dir" "{ \"destination\": \"$ab_dst\", \"type\": \"bind\", \"source\": \"$ab_src\", \"options\": [ \"$ab_kind\"$ab_opts ] }"
}

# add_shared DIR: a writable $DIR/shared seen as /shared in the container,
# for the container to leave marks in and the test to drop files into.
add_shared() {
	mkdir -p "$1/shared" "$1/rootfs/shared" &&
	add_bind "$1" "$(cd "$1" && pwd)/shared" /shared rw
}

test_watchdog
