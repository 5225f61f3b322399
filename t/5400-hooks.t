#!/bin/sh
test_description='hooks run at their point of the lifecycle, in their namespaces, with the state on stdin'
. "$(dirname "$0")/lib.sh"

KINDS='prestart createRuntime createContainer startContainer poststart poststop'

# hook.sh KIND LOG EXIT: appends "KIND STATUS PID PIDNS MNTNS" to LOG, the
# status and pid read from the state on its stdin, then exits with EXIT.
cat >"$TRASH/hook.sh" <<'EOF'
#!/bin/sh
st=$(cat)
field() { printf '%s' "$st" | tr -d '\n' | sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\{0,1\}\([^\",}]*\).*/\1/p"; }
echo "$1 $(field status) $(field pid) $(readlink /proc/self/ns/pid) $(readlink /proc/self/ns/mnt)" >>"$2"
exit "$3"
EOF
chmod 755 "$TRASH/hook.sh"

# hook_json KIND LOG EXIT [PATH]: one hook object running hook.sh
hook_json() {
	printf '{ "path": "%s", "args": [ "hook.sh", "%s", "%s", "%s" ], "env": [ "PATH=/bin:/usr/bin" ] }' \
		"${4:-$TRASH/hook.sh}" "$1" "$2" "$3"
}

# hooks_json DIR [FAILING_KIND]: "hooks" with one hook.sh of each kind, all
# logging to DIR/shared/log (/shared/log for startContainer, which runs
# the rootfs' copy); the one of FAILING_KIND exits 3.
hooks_json() {
	hj_sep=
	printf '"hooks": {'
	for k in $KINDS; do
		hj_exit=0
		[ "$k" = "$2" ] && hj_exit=3
		if [ "$k" = startContainer ]; then
			hj=$(hook_json $k /shared/log $hj_exit /hook.sh)
		else
			hj=$(hook_json $k "$TRASH/$1/shared/log" $hj_exit)
		fi
		printf '%s "%s": [ %s ]' "$hj_sep" "$k" "$hj"
		hj_sep=,
	done
	printf ' }'
}

# hooked_bundle DIR [FAILING_KIND]: a WAITER bundle with hooks_json
hooked_bundle() {
	make_sh_bundle "$1" "$WAITER" "" "$(hooks_json "$1" "$2")" &&
	cp "$TRASH/hook.sh" "$1/rootfs/hook.sh"
}

# kinds_run DIR: the kinds that ran, in order, on one line
kinds_run() { cut -d" " -f1 "$1/shared/log" | tr "\n" " "; }

# ns PID NAME: the namespace link of PID as a grep -E pattern
ns() { readlink "/proc/$1/ns/$2" | sed 's/[][]/\\&/g'; }
HOST_NS="$(ns self pid) $(ns self mnt)"

# The pid in the state a hook reads is the init's as seen where the hook
# runs (runtime.md): the host's pid for the hooks run on the host, 1, the
# init's pid in its own pid namespace, for those run in the container.
test_expect_success 'create runs prestart and createRuntime on the host, then createContainer in the container' '
	hooked_bundle b &&
	oci create -b b c1 &&
	pid=$(state_field c1 pid) &&
	cns="$(ns $pid pid) $(ns $pid mnt)" &&
	test "$(kinds_run b)" = "prestart createRuntime createContainer " &&
	test_grep b/shared/log "^prestart creating $pid $HOST_NS$" &&
	test_grep b/shared/log "^createRuntime creating $pid $HOST_NS$" &&
	test_grep b/shared/log "^createContainer creating 1 $cns$" &&
	test "$(ns $pid pid)" != "$(ns self pid)" &&
	test "$(ns $pid mnt)" != "$(ns self mnt)" &&
	test ! -e b/shared/started
'

test_expect_success 'start runs startContainer in the container before the payload, poststart on the host after it' '
	pid=$(state_field c1 pid) &&
	cns="$(ns $pid pid) $(ns $pid mnt)" &&
	oci start c1 &&
	test "$(kinds_run b)" = "prestart createRuntime createContainer startContainer poststart " &&
	test_grep b/shared/log "^startContainer created 1 $cns$" &&
	test_grep b/shared/log "^poststart running $pid $HOST_NS$" &&
	tr "\0" " " <"/proc/$pid/cmdline" >cmdline &&
	test_grep cmdline "^/bin/sh /payload $"
'

test_expect_success 'delete runs poststop on the host once the container is gone' '
	touch b/shared/stop &&
	retry 100 status_is c1 stopped &&
	oci delete c1 &&
	test "$(kinds_run b)" = "prestart createRuntime createContainer startContainer poststart poststop " &&
	test_grep b/shared/log "^poststop stopped [0-9]* $HOST_NS$" &&
	check_nothing_left
'

test_expect_success 'without a pid namespace of its own the container'"'"'s hooks read the host'"'"'s pid of the init' '
	hooked_bundle b1 &&
	config_set b1 namespaces "[ { \"type\": \"mount\" }, { \"type\": \"uts\" } ]" &&
	oci create -b b1 c0 &&
	pid=$(state_field c0 pid) &&
	test_grep b1/shared/log "^createContainer creating $pid " &&
	oci start c0 &&
	test_grep b1/shared/log "^startContainer created $pid " &&
	test_grep b1/shared/log "^poststart running $pid " &&
	oci delete -f c0 &&
	check_nothing_left
'

test_expect_success 'run runs every kind in order' '
	hooked_bundle b2 &&
	touch b2/shared/stop &&
	oci run -b b2 c2 &&
	test "$(kinds_run b2)" = "prestart createRuntime createContainer startContainer poststart poststop " &&
	check_nothing_left
'

test_expect_success 'start uses the config of create, not the bundle'"'"'s of the day' '
	hooked_bundle b3 &&
	oci create -b b3 c3 &&
	sed "s/\"poststart\": \[[^]]*\]/\"poststart\": []/" b3/config.json >b3/config.new &&
	mv b3/config.new b3/config.json &&
	! grep -q "\"poststart\": \[ {" b3/config.json &&
	oci start c3 &&
	test_grep b3/shared/log "^poststart " &&
	oci delete --force c3 &&
	check_nothing_left
'

for kind in prestart createRuntime createContainer; do
	test_expect_success "a failing $kind hook fails create, leaves nothing and runs poststop" '
		rm -rf bf &&
		hooked_bundle bf '$kind' &&
		test_must_fail oci create -b bf cf 2>err &&
		test_grep err "^ocimin: run '$kind' hook .*hook.sh: exit status 3$" &&
		test_grep bf/shared/log "^'$kind' creating" &&
		test_grep_not bf/shared/log "^(startContainer|poststart) " &&
		test_grep bf/shared/log "^poststop stopped" &&
		test ! -e bf/shared/started &&
		check_nothing_left cf
	'
done

test_expect_success 'a failing startContainer hook fails start; the payload never runs' '
	hooked_bundle b4 startContainer &&
	oci create -b b4 c4 &&
	test_must_fail oci start c4 2>err &&
	test_grep err "^ocimin: run startContainer hook /hook.sh: exit status 3$" &&
	retry 100 status_is c4 stopped &&
	test ! -e b4/shared/started &&
	test_grep_not b4/shared/log "^poststart " &&
	oci delete c4 &&
	test_grep b4/shared/log "^poststop " &&
	check_nothing_left
'

test_expect_success 'a failing poststart hook fails start and stops the container (runc, runtime-spec 1.2)' '
	hooked_bundle b5 poststart &&
	oci create -b b5 c5 &&
	test_must_fail oci start c5 2>err &&
	test_grep err "^ocimin: run poststart hook .*hook.sh: exit status 3$" &&
	retry 100 status_is c5 stopped &&
	oci delete c5 &&
	check_nothing_left
'

test_expect_success 'a failing poststop hook is only a warning' '
	hooked_bundle b6 poststop &&
	touch b6/shared/stop &&
	oci run -b b6 c6 2>err &&
	test_grep err "^ocimin: warning: run poststop hook .*hook.sh: exit status 3$" &&
	check_nothing_left
'

test_expect_success 'a failing hook in run fails run and removes the container' '
	hooked_bundle b7 createContainer &&
	test_must_fail oci run -b b7 c7 2>err &&
	test_grep err "createContainer hook" &&
	hooked_bundle b8 poststart &&
	test_must_fail oci run -b b8 c8 2>err &&
	test_grep err "poststart hook" &&
	check_nothing_left
'

# A hook named by its argv[0]: busybox runs the applet args[0] names.
cat >"$TRASH/args.sh" <<EOF
echo "\$0 \$*" >"$TRASH/args.out"
export -p >"$TRASH/env.out"
EOF
mkdir -p "$TRASH/tools" && ln -s /bin/busybox "$TRASH/tools/true"

test_expect_success 'a hook gets its args as argv, argv[0] included, and exactly its env' '
	make_bundle b9 "[\"/bin/true\"]" "" "\"hooks\": { \"createRuntime\": [ { \"path\": \"/bin/busybox\", \"args\": [ \"sh\", \"$TRASH/args.sh\", \"one\", \"two words\" ], \"env\": [ \"A=1\", \"B=two words\" ] } ] }" &&
	HOOK_LEAK=1 oci run -b b9 c9 &&
	test_grep args.out "^$TRASH/args.sh one two words$" &&
	test_grep env.out "A=.?1.?$" &&
	test_grep env.out "B=.?two words.?$" &&
	test_grep_not env.out "OCIMIN_TEST_MARK|HOOK_LEAK" &&
	check_nothing_left
'

test_expect_success 'without args a hook'"'"'s argv[0] is its path' '
	make_bundle b10 "[\"/bin/true\"]" "" "\"hooks\": { \"prestart\": [ { \"path\": \"$TRASH/tools/true\" } ] }" &&
	oci run -b b10 c10 &&
	check_nothing_left
'

test_expect_success 'a hook that outlives its timeout is killed and fails create' '
	make_bundle b11 "[\"/bin/true\"]" "" "\"hooks\": { \"createRuntime\": [ { \"path\": \"/bin/busybox\", \"args\": [ \"sleep\", \"30\" ], \"timeout\": 1 } ] }" &&
	start=$(date +%s) &&
	test_must_fail oci create -b b11 c11 2>err &&
	test $(($(date +%s) - start)) -lt 10 &&
	test_grep err "^ocimin: run createRuntime hook /bin/busybox: timed out after 1 s$" &&
	check_nothing_left
'

test_expect_success 'a hook that cannot be executed fails create, saying why' '
	make_bundle b12 "[\"/bin/true\"]" "" "\"hooks\": { \"prestart\": [ { \"path\": \"$TRASH/nosuch\" } ] }" &&
	test_must_fail oci create -b b12 c12 2>err &&
	test_grep err "^ocimin: run prestart hook $TRASH/nosuch: exit status 127: exec $TRASH/nosuch: No such file or directory$" &&
	check_nothing_left
'

test_expect_success 'a hook that does not read its stdin does not break ocimin' '
	big=$(seq 1 20000 | tr "\n" " ") &&
	make_bundle b13 "[\"/bin/true\"]" "" "\"annotations\": { \"big\": \"$big\" }, \"hooks\": { \"prestart\": [ { \"path\": \"$TRASH/tools/true\" } ] }" &&
	oci run -b b13 c13 &&
	check_nothing_left
'

test_expect_success 'features lists the six kinds of hooks' '
	ocimin features >features &&
	for k in $KINDS; do
		tr -d "\n " <features | grep -q "\"hooks\":\[[^]]*\"$k\"" || exit 1
	done
'

test_done
