/* bench/floor.c - the floor ocimin is measured against: a static launcher
 * that makes the container of bench/config.json with the syscalls the
 * kernel requires for it and nothing else. No JSON: the config is this
 * code. Every step of the config is here; what a runtime must do besides
 * (parse, validate, keep state, resolve paths safely in an untrusted
 * rootfs, report errors well) is not.
 *
 *   floor run [-s] [-m BYTES] CGROUP ROOTFS   run bench/config.json's
 *       container (payload /true) in the new cgroup dir CGROUP (its
 *       parent exists, a cgroup2 dir), removed after. -s: with the Docker
 *       seccomp profile as ocimin compiles it (build/bench/seccomp.h);
 *       -m: memory.max of the cgroup.
 *   floor exec CGROUP PID   run /true in the running container whose
 *       init is PID, its cgroup dir being CGROUP.
 *
 * Nothing is checked that the kernel checks anyway: paths are relative to
 * the rootfs (trusted here), a missing masked path is the mount's ENOENT.
 * The namespaces come with clone3() and the cgroup placement with
 * CLONE_INTO_CGROUP (one syscall for both), but for the cgroup namespace:
 * clone3 would root it at floor's own cgroup, so the child unshares it once
 * placed, which is what makes /sys/fs/cgroup show the container's cgroup
 * as the root. Any failure prints one line and exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifdef FLOOR_SECCOMP
#include "seccomp.h"          /* floor_seccomp[]: struct sock_filter */
#endif

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define NS_ALL (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

/* process.capabilities: the same three in bounding, effective, permitted */
#define CAPS ((1ULL << CAP_AUDIT_WRITE) | (1ULL << CAP_KILL) | (1ULL << CAP_NET_BIND_SERVICE))

struct clone_args_v2 {        /* struct clone_args up to .cgroup (Linux 5.7) */
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

static const struct {
	const char *source, *target, *type;
	unsigned long flags;
	const char *data;
	bool mkdir;                   /* not in the rootfs: below the /dev tmpfs */
} mounts[] = {
	{ "proc", "proc", "proc", 0, NULL, false },
	{ "tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", false },
	{ "devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	  "newinstance,ptmxmode=0666,mode=0620,gid=5", true },
	{ "shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k", true },
	{ "mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL, true },
	{ "sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL, false },
	{ "cgroup", "sys/fs/cgroup", "cgroup2",
	  MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME, NULL, false },
};

static const struct { const char *name; unsigned major, minor; } devices[] = {
	{ "dev/null", 1, 3 }, { "dev/zero", 1, 5 }, { "dev/full", 1, 7 },
	{ "dev/random", 1, 8 }, { "dev/urandom", 1, 9 }, { "dev/tty", 5, 0 },
};

static const struct { const char *target, *link; } links[] = {
	{ "/proc/self/fd", "dev/fd" }, { "/proc/self/fd/0", "dev/stdin" },
	{ "/proc/self/fd/1", "dev/stdout" }, { "/proc/self/fd/2", "dev/stderr" },
	{ "pts/ptmx", "dev/ptmx" },
};

static const char *const masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
	"/proc/scsi", "/sys/devices/virtual/tpm",
};

static const char *const readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static char *const payload_argv[] = { "/true", NULL };
static char *const payload_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"TERM=xterm", "HOME=/", NULL,
};

static bool with_seccomp;

static void die(const char *what, const char *obj)
{
	fprintf(stderr, "floor: %s %s: %s\n", what, obj ? obj : "", strerror(errno));
	_exit(1);
}

/* ---- cgroup: the dir, its device filter ------------------------------- */

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), \
	.src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o)    INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define AND32_K(d, i)     INSN(BPF_ALU | BPF_AND | BPF_K, d, 0, 0, i)
#define RSH32_K(d, i)     INSN(BPF_ALU | BPF_RSH | BPF_K, d, 0, 0, i)
#define MOV64_K(d, i)     INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define JNE_K(d, i, o)    INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define EXIT              INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* linux.resources.devices [deny all] followed by runc's allowed devices:
 * mknod of any device, and everything on these char devices (-1: any
 * minor); what ocimin's cgroup.c compiles for the same rules. */
static const struct { int major, minor; } dev_allowed[] = {
	{ 1, 3 }, { 1, 8 }, { 1, 7 }, { 5, 0 }, { 1, 5 }, { 1, 9 }, { 136, -1 }, { 5, 2 }, { 10, 200 },
};

/* struct bpf_cgroup_dev_ctx { u32 access_type (type | access << 16);
 * u32 major; u32 minor; }: r2 = type, r3 = access, r4 = major, r5 = minor. */
static size_t device_prog(struct bpf_insn *p)
{
	size_t n = 0, type_check;

	p[n++] = LDX_W(BPF_REG_2, BPF_REG_1, 0);
	p[n++] = AND32_K(BPF_REG_2, 0xffff);
	p[n++] = LDX_W(BPF_REG_3, BPF_REG_1, 0);
	p[n++] = RSH32_K(BPF_REG_3, 16);
	p[n++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);
	p[n++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);
	p[n++] = MOV64_K(BPF_REG_0, 1);
	p[n++] = JNE_K(BPF_REG_3, BPF_DEVCG_ACC_MKNOD, 1);
	p[n++] = EXIT;
	type_check = n++;
	for (size_t i = 0; i < LEN(dev_allowed); i++) {
		bool any = dev_allowed[i].minor < 0;

		p[n++] = JNE_K(BPF_REG_4, dev_allowed[i].major, any ? 1 : 2);
		if (!any)
			p[n++] = JNE_K(BPF_REG_5, dev_allowed[i].minor, 1);
		p[n++] = EXIT;
	}
	p[type_check] = JNE_K(BPF_REG_2, BPF_DEVCG_DEV_CHAR, n - type_check - 1);
	p[n++] = MOV64_K(BPF_REG_0, 0);
	p[n++] = EXIT;
	return n;
}

static int device_filter(int cg)
{
	struct bpf_insn prog[64];
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uintptr_t)prog;
	a.insn_cnt = device_prog(prog);
	a.license = (uintptr_t)"GPL";
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.target_fd = cg;
	a.attach_bpf_fd = fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof(a)) < 0)
		return -1;
	return close(fd);
}

/* ---- the container's init, before exec -------------------------------- */

static void loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo", .ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die("bring up", "lo");
	close(fd);
}

/* Relative to the rootfs, the cwd. */
static void do_mounts(void)
{
	for (size_t i = 0; i < LEN(mounts); i++) {
		if (mounts[i].mkdir && mkdir(mounts[i].target, 0755) < 0)
			die("mkdir", mounts[i].target);
		if (mount(mounts[i].source, mounts[i].target, mounts[i].type,
			  mounts[i].flags, mounts[i].data) < 0)
			die("mount", mounts[i].target);
	}
	for (size_t i = 0; i < LEN(devices); i++)
		if (mknod(devices[i].name, S_IFCHR | 0666,
			  makedev(devices[i].major, devices[i].minor)) < 0)
			die("mknod", devices[i].name);
	for (size_t i = 0; i < LEN(links); i++)
		if (symlink(links[i].target, links[i].link) < 0)
			die("symlink", links[i].link);
	if (access("proc/kcore", F_OK) == 0 && symlink("/proc/kcore", "dev/core") < 0)
		die("symlink", "dev/core");
}

/* The cwd (the rootfs) becomes /; an initramfs cannot be pivoted away
 * from, so there the rootfs is moved over / and chrooted into. */
static void enter_root(void)
{
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		if (umount2(".", MNT_DETACH) < 0)
			die("unmount", "the old root");
	} else if (errno != EINVAL || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0) {
		die("enter", "the rootfs");
	}
	if (chdir("/") < 0)
		die("chdir", "/");
}

/* maskedPaths: /dev/null over a file, an empty read-only tmpfs over a
 * directory (the bind fails with ENOTDIR); readonlyPaths; then the root. */
static void protect_paths(void)
{
	for (size_t i = 0; i < LEN(readonly); i++) {
		if (mount(readonly[i], readonly[i], NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			die("bind", readonly[i]);
		}
		if (mount(NULL, readonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			die("remount read-only", readonly[i]);
	}
	for (size_t i = 0; i < LEN(masked); i++) {
		if (mount("/dev/null", masked[i], NULL, MS_BIND, NULL) == 0 || errno == ENOENT)
			continue;
		if (errno != ENOTDIR || mount("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL) < 0)
			die("mask", masked[i]);
	}
	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		die("remount read-only", "/");
}

/* rlimits, capabilities, groups, noNewPrivileges, umask, fds, seccomp:
 * the user stays 0:0, which the init already is. */
static void process_setup(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {
		{ (uint32_t)CAPS, (uint32_t)CAPS, 0 }, { CAPS >> 32, CAPS >> 32, 0 },
	};
	struct rlimit nofile = { 1024, 1024 };

	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		die("set", "RLIMIT_NOFILE");
	for (int cap = 0;; cap++) {
		if (CAPS & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			die("drop", "a bounding capability");
		}
	}
	if (setgroups(0, NULL) < 0)
		die("set", "groups");
	if (syscall(SYS_capset, &hdr, data) < 0)
		die("set", "capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		die("clear", "ambient capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("set", "no_new_privs");
	umask(022);
	if (syscall(SYS_close_range, 3U, ~0U, 0) < 0)
		die("close", "fds");
#ifdef FLOOR_SECCOMP
	if (with_seccomp) {
		struct sock_fprog prog = { LEN(floor_seccomp), (struct sock_filter *)floor_seccomp };

		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			die("load", "the seccomp filter");
	}
#endif
}

static void init(const char *rootfs)
{
	umask(0);
	if (unshare(CLONE_NEWCGROUP) < 0)
		die("unshare", "the cgroup namespace");
	loopback_up();
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		die("make / a slave", NULL);
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind", rootfs);
	if (chdir(rootfs) < 0)
		die("chdir", rootfs);
	do_mounts();
	enter_root();
	if (sethostname("bench", 5) < 0)
		die("set", "the hostname");
	protect_paths();
	process_setup();
	execve(payload_argv[0], payload_argv, payload_env);
	die("exec", payload_argv[0]);
}

/* ---- floor run, floor exec -------------------------------------------- */

static pid_t clone_into(int cg, uint64_t ns)
{
	struct clone_args_v2 args = {
		.flags = ns | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (unsigned)cg,
	};

	return syscall(SYS_clone3, &args, sizeof(args));
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("wait for", "the container");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void write_at(int dir, const char *file, const char *value)
{
	int fd = openat(dir, file, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		die("write", file);
	close(fd);
}

static int cmd_run(const char *cgroup, const char *rootfs, const char *mem)
{
	int cg, rc;
	pid_t pid;

	if (mkdir(cgroup, 0755) < 0)
		die("mkdir", cgroup);
	cg = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		die("open", cgroup);
	if (mem)
		write_at(cg, "memory.max", mem);
	if (device_filter(cg) < 0)
		die("set the device filter of", cgroup);
	pid = clone_into(cg, NS_ALL);
	if (pid < 0)
		die("clone", "the container");
	if (pid == 0)
		init(rootfs);
	close(cg);
	rc = wait_child(pid);
	if (rmdir(cgroup) < 0)
		die("rmdir", cgroup);
	return rc;
}

/* setns() with a pidfd joins several of the init's namespaces at once
 * (Linux 5.8); the pid namespace then applies to the child clone3 makes.
 * The cgroup namespace is joined by the child, once placed: from inside
 * it, a cgroup2 mounted with nsdelegate refuses CLONE_INTO_CGROUP. */
static int cmd_exec(const char *cgroup, const char *pidstr)
{
	int cg = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int pidfd = syscall(SYS_pidfd_open, atoi(pidstr), 0);
	pid_t pid;

	if (cg < 0)
		die("open", cgroup);
	if (pidfd < 0)
		die("open the pidfd of", pidstr);
	if (setns(pidfd, NS_ALL) < 0)
		die("join the namespaces of", pidstr);
	pid = clone_into(cg, 0);
	if (pid < 0)
		die("clone", "the process");
	if (pid == 0) {
		if (setns(pidfd, CLONE_NEWCGROUP) < 0)
			die("join the cgroup namespace of", pidstr);
		process_setup();
		execve(payload_argv[0], payload_argv, payload_env);
		die("exec", payload_argv[0]);
	}
	close(cg);
	close(pidfd);
	return wait_child(pid);
}

static void usage(void)
{
	fprintf(stderr, "usage: floor run [-s] [-m BYTES] CGROUP ROOTFS\n"
			"       floor exec CGROUP PID\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mem = NULL;
	int opt;

	if (argc > 1 && !strcmp(argv[1], "exec") && argc == 4)
		return cmd_exec(argv[2], argv[3]);
	if (argc < 2 || strcmp(argv[1], "run"))
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "sm:")) != -1) {
		if (opt == 's')
			with_seccomp = true;
		else if (opt == 'm')
			mem = optarg;
		else
			usage();
	}
#ifndef FLOOR_SECCOMP
	if (with_seccomp) {
		fprintf(stderr, "floor: built without a seccomp filter\n");
		exit(2);
	}
#endif
	if (argc - optind != 2)
		usage();
	return cmd_run(argv[optind], argv[optind + 1], mem);
}
