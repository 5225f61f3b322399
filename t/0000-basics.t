#!/bin/sh
test_description='ocimin is one static binary that runs a busybox bundle'
. "$(dirname "$0")/lib.sh"

test_expect_success 'ocimin --version names the version and the spec' '
	ocimin --version >out &&
	sed -n 1p out | grep -E "^ocimin version [0-9]+\.[0-9]+\.[0-9]+" &&
	sed -n 2p out | grep -x "spec: 1.3.0"
'

# make check-asan runs the suite with a sanitizer build, which is dynamic.
[ -n "$OCIMIN_ASAN" ] && test_skip_reason='OCIMIN_ASAN: the ASan build of ocimin links glibc dynamically'
test_expect_success 'ocimin is static: it runs with no loader and no environment' '
	! grep -q -F -e "ld-linux" -e "ld-musl" "$OCIMIN" &&
	env -i "$OCIMIN" --version >out &&
	test_grep out "^ocimin version"
'
test_skip_reason=

test_expect_success 'the probe is static too' '
	! grep -q -F -e "ld-linux" -e "ld-musl" "$PROBE" &&
	env -i "$PROBE" pid >out &&
	test_grep out "^pid: [0-9]+$"
'

test_expect_success 'run of a bundle that runs /bin/true exits 0 and leaves nothing' '
	make_bundle b "[\"/bin/true\"]" &&
	oci run -b b t1 &&
	check_nothing_left t1
'

test_expect_success 'run prints what the container prints' '
	make_bundle b2 "[\"/bin/echo\", \"hello from the container\"]" &&
	oci run -b b2 t2 >out &&
	echo "hello from the container" >expect &&
	test_cmp expect out &&
	check_nothing_left t2
'

test_expect_success 'the container runs its own rootfs with the probe in it' '
	make_bundle b3 "[\"/probe\", \"pid\", \"cwd\", \"ls\", \"/\"]" &&
	oci run -b b3 t3 >out &&
	test_grep out "^pid: 1$" &&
	test_grep out "^cwd: /$" &&
	test_grep out "^ls /: bin dev etc probe proc root sys tmp$" &&
	check_nothing_left t3
'

test_expect_success 'run exits with the status of the container' '
	make_bundle b4 "[\"/bin/sh\", \"-c\", \"exit 3\"]" &&
	test_expect_code 3 oci run -b b4 t4 &&
	check_nothing_left t4
'

test_expect_success 'run of a bundle without config.json fails and leaves nothing' '
	mkdir -p empty &&
	test_must_fail oci run -b empty t5 2>err &&
	test_grep err "^ocimin: .*config.json" &&
	check_nothing_left t5
'

test_expect_success 'create, start, state and delete take a container through its life' '
	make_bundle b6 "[\"/bin/true\"]" &&
	oci create -b b6 t6 &&
	status_is t6 created &&
	oci start t6 &&
	retry 100 status_is t6 stopped &&
	oci delete t6 &&
	check_nothing_left t6
'

test_done
