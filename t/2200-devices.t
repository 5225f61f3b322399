#!/bin/sh
test_description='the container'"'"'s /dev: default devices, links and linux.devices'
. "$(dirname "$0")/lib.sh"

test_expect_success 'the default devices are there with their numbers and modes' '
	make_bundle b "[\"/probe\", \"stat\", \"/dev/null\", \"stat\", \"/dev/zero\", \"stat\", \"/dev/full\", \"stat\", \"/dev/random\", \"stat\", \"/dev/urandom\", \"stat\", \"/dev/tty\", \"stat\", \"/dev/ptmx\"]" &&
	oci run -b b d1 >out &&
	test_grep out "^stat /dev/null: c 0666 0 0 1:3$" &&
	test_grep out "^stat /dev/zero: c 0666 0 0 1:5$" &&
	test_grep out "^stat /dev/full: c 0666 0 0 1:7$" &&
	test_grep out "^stat /dev/random: c 0666 0 0 1:8$" &&
	test_grep out "^stat /dev/urandom: c 0666 0 0 1:9$" &&
	test_grep out "^stat /dev/tty: c 0666 0 0 5:0$" &&
	test_grep out "^stat /dev/ptmx: (l [0-7]+ 0 0 0:0 -> (/dev/)?pts/ptmx|c [0-7]+ 0 0 5:2)$" &&
	check_nothing_left
'

test_expect_success 'the standard links point into /proc/self/fd' '
	make_bundle b2 "[\"/probe\", \"stat\", \"/dev/fd\", \"stat\", \"/dev/stdin\", \"stat\", \"/dev/stdout\", \"stat\", \"/dev/stderr\", \"stat\", \"/dev/core\"]" &&
	oci run -b b2 d2 >out &&
	test_grep out "^stat /dev/fd: l [0-7]+ 0 0 0:0 -> /proc/self/fd$" &&
	test_grep out "^stat /dev/stdin: l [0-7]+ 0 0 0:0 -> /proc/self/fd/0$" &&
	test_grep out "^stat /dev/stdout: l [0-7]+ 0 0 0:0 -> /proc/self/fd/1$" &&
	test_grep out "^stat /dev/stderr: l [0-7]+ 0 0 0:0 -> /proc/self/fd/2$" &&
	if [ -e /proc/kcore ]; then
		test_grep out "^stat /dev/core: l [0-7]+ 0 0 0:0 -> /proc/kcore$"
	fi &&
	check_nothing_left
'

test_expect_success '/dev holds the default set and nothing of the host'"'"'s' '
	make_bundle b3 "[\"/probe\", \"ls\", \"/dev\"]" &&
	oci run -b b3 d3 >out &&
	sed "s/ core//" out >got &&
	echo "ls /dev: fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero" >expect &&
	test_cmp expect got &&
	check_nothing_left
'

test_expect_success 'the default devices work' '
	make_bundle b4 "[\"/bin/sh\", \"-c\", \"head -c 4 /dev/zero | wc -c; head -c 16 /dev/urandom | wc -c; echo x >/dev/null && echo null-ok; /probe write /dev/full open /dev/tty; ls /dev/fd/\"]" &&
	oci run -b b4 d4 >out &&
	printf "4\n16\nnull-ok\nwrite /dev/full: ENOSPC\nopen /dev/tty: ENXIO\n" >expect &&
	head -n 5 out >got &&
	test_cmp expect got &&
	test_grep out "^0$" && test_grep out "^1$" && test_grep out "^2$" &&
	check_nothing_left
'

test_expect_success 'linux.devices are created with their type, numbers, mode and owner' '
	make_bundle b5 "[\"/probe\", \"stat\", \"/dev/mynull\", \"stat\", \"/dev/sub/dir/myzero\", \"stat\", \"/dev/myblock\", \"stat\", \"/dev/myfifo\", \"stat\", \"/dev/myu\", \"stat\", \"/dev/open\", \"write\", \"/dev/open\", \"write\", \"/dev/mynull\"]" "\"devices\": [
		{ \"path\": \"/dev/mynull\", \"type\": \"c\", \"major\": 1, \"minor\": 3, \"fileMode\": 416, \"uid\": 1000, \"gid\": 1001 },
		{ \"path\": \"/dev/sub/dir/myzero\", \"type\": \"c\", \"major\": 1, \"minor\": 5 },
		{ \"path\": \"/dev/myblock\", \"type\": \"b\", \"major\": 7, \"minor\": 0, \"fileMode\": 432 },
		{ \"path\": \"/dev/myfifo\", \"type\": \"p\", \"fileMode\": 384 },
		{ \"path\": \"/dev/myu\", \"type\": \"u\", \"major\": 1, \"minor\": 8 },
		{ \"path\": \"/dev/open\", \"type\": \"c\", \"major\": 1, \"minor\": 9, \"fileMode\": 438 } ]" &&
	oci run -b b5 d5 >out &&
	test_grep out "^stat /dev/mynull: c 0640 1000 1001 1:3$" &&
	test_grep out "^stat /dev/sub/dir/myzero: c [0-7]+ 0 0 1:5$" &&
	test_grep out "^stat /dev/myblock: b 0660 0 0 7:0$" &&
	test_grep out "^stat /dev/myfifo: p 0600 0 0 0:0$" &&
	test_grep out "^stat /dev/myu: c [0-7]+ 0 0 1:8$" &&
	test_grep out "^stat /dev/open: c 0666 0 0 1:9$" &&
	test_grep out "^write /dev/open: ok$" &&
	test_grep out "^write /dev/mynull: EACCES$" &&
	check_nothing_left
'

test_expect_success 'a linux.device outside /dev is created too' '
	make_bundle b6 "[\"/probe\", \"stat\", \"/mydev\"]" "\"devices\": [ { \"path\": \"/mydev\", \"type\": \"c\", \"major\": 1, \"minor\": 3, \"fileMode\": 438 } ]" &&
	oci run -b b6 d6 >out &&
	test_grep out "^stat /mydev: c 0666 0 0 1:3$" &&
	check_nothing_left
'

test_done
