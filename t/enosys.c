/* t/enosys: runs a command with some syscalls failing with ENOSYS, as on a
 * kernel older than them, to test ocimin's fallbacks on this one.
 *
 *   t/enosys SYSCALL[,SYSCALL...] -- CMD [ARG...]
 *
 * A seccomp filter (with no_new_privs unless root) returns ENOSYS for those syscall
 * numbers of the native arch, lets everything else through, and is
 * inherited by CMD and all it runs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/seccomp.h>

#include "../ocimin.h"

static const struct { const char *name; long nr; } calls[] = {
	{ "clone3", SYS_clone3 },
	{ "close_range", SYS_close_range },
	{ "fsconfig", SYS_fsconfig },
	{ "fsmount", SYS_fsmount },
	{ "fsopen", SYS_fsopen },
	{ "fspick", SYS_fspick },
	{ "mount_setattr", SYS_mount_setattr },
	{ "move_mount", SYS_move_mount },
	{ "open_tree", SYS_open_tree },
	{ "openat2", SYS_openat2 },
	{ "pidfd_getfd", SYS_pidfd_getfd },
	{ "pidfd_open", SYS_pidfd_open },
	{ "pidfd_send_signal", SYS_pidfd_send_signal },
};

#define MAXN 16

static long lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(calls[i].name, name))
			return calls[i].nr;
	return -1;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "enosys: %s: %s\n", what, why);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sock_filter f[4 + 2 * MAXN];
	struct sock_fprog prog = { 0, f };
	long nr[MAXN];
	size_t n = 0, k = 0;
	char *s;

	if (argc < 4 || strcmp(argv[2], "--"))
		die("usage", "t/enosys SYSCALL[,SYSCALL...] -- CMD [ARG...]");
	for (s = strtok(argv[1], ","); s; s = strtok(NULL, ",")) {
		if (n == MAXN)
			die(s, "too many syscalls");
		if ((nr[n++] = lookup(s)) < 0)
			die(s, "unknown syscall");
	}
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, OCI_SECCOMP_ARCHES[0], 0, 2 * n + 1);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < n; i++) {
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr[i], 0, 1);
		f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	}
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = k;
	/* root needs no no_new_privs, which would change what is tested */
	if (sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 &&
	    (errno != EACCES || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	     sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) < 0))
		die("seccomp", strerror(errno));
	execvp(argv[3], argv + 3);
	die(argv[3], strerror(errno));
}
