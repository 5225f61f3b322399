/* ocimin.h - the whole cross-file surface of ocimin: the parsed config
 * (struct spec), container state, error reporting and the syscalls that
 * musl does not wrap. Everything else in every .c file is static. */
#ifndef OCIMIN_H
#define OCIMIN_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <linux/audit.h>
#include <linux/filter.h>

#define OCIMIN_VERSION "0.1.0"
#define OCI_SPEC_VERSION "1.3.0"
#define OCI_ERRMAX 512          /* one error line, without "ocimin: " */
#define OCI_IDMAX 1024          /* longest container id */

/* "unset" for optional signed numbers (memory limits use -1 for "max") */
#define OPT_UNSET INT64_MIN

/* ---- errors (ocimin.c) ----------------------------------------------
 * A fallible function prints exactly one line with oci_err/oci_syserr and
 * returns -1; callers pass -1 up without printing again. The message is
 * "<verb> <object>: <reason>" without the "ocimin: " prefix, which is added.
 * While oci_errbuf is set (the container's init before exec), messages are
 * stored there instead of printed, for the parent to report. */
extern char *oci_errbuf;
int oci_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int oci_syserr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void oci_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void oci_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A named step of create, start, exec, delete or the init ("create:cgroup",
 * "init:mounted"; see README). For tests, OCIMIN_DEBUG_STOP=STEP makes
 * ocimin die there (SIGKILL), STEP/stop stop there (SIGSTOP). The init's
 * last step is what create names when the init dies. (ocimin.c) */
void debug_step(const char *name);

/* write(2) until done or a real error; -1 with errno set. */
int write_all(int fd, const void *buf, size_t len);

/* Word k (from 0) of line, words split by blanks as sscanf's %s splits
 * them, copied to buf and cut to size - 1 bytes; NULL when line has no
 * word k. sscanf would pull musl's scanners (12 KB) into the binary. */
const char *oci_word(const char *line, int k, char *buf, size_t size);

/* strstr(3) for the short texts ocimin searches (a line of mountinfo, a
 * status file): musl's brings a Two-Way search, 1 KB. */
char *oci_find(const char *s, const char *needle);

/* ---- the parsed config.json (json.c) -------------------------------- */

struct kv { char *key, *value; };

struct idmap { uint32_t container_id, host_id, size; };

/* The five capability sets, as bitmasks of CAP_* numbers (0..63). */
enum { CAPSET_BOUNDING, CAPSET_EFFECTIVE, CAPSET_INHERITABLE,
       CAPSET_PERMITTED, CAPSET_AMBIENT, CAPSET_N };

struct rlim { int resource; uint64_t soft, hard; };   /* RLIMIT_* */

struct process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height, console_width;
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char **args;                  /* NULL-terminated; n_args >= 1 */
	size_t n_args;
	char **env;                   /* NULL-terminated, may be empty */
	size_t n_env;
	char *cwd;                    /* absolute; "/" when absent */
	bool has_caps;                /* false: process.capabilities absent */
	uint64_t caps[CAPSET_N];
	struct rlim *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;       /* NULL when absent or "" */
	bool has_oom_score_adj;
	int oom_score_adj;            /* -1000..1000 */
	char *selinux_label;
	bool has_io_priority;
	int io_class;                 /* IOPRIO_CLASS_RT/BE/IDLE = 1/2/3 */
	int io_priority;              /* 0..7 */
	bool has_scheduler;
	int sched_policy;             /* SCHED_* */
	int sched_nice;
	int sched_priority;
	uint32_t sched_flags;         /* SCHED_FLAG_* bits */
	uint64_t sched_runtime, sched_deadline, sched_period;
	char *exec_cpu_initial;       /* execCPUAffinity.initial, cpu list */
	char *exec_cpu_final;         /* execCPUAffinity.final */
};

struct mnt {
	char *destination;            /* absolute */
	char *type;                   /* NULL when absent */
	char *source;                 /* NULL when absent */
	unsigned long flags;          /* MS_* to set (MS_BIND, MS_RDONLY, ...) */
	unsigned long clear;          /* MS_* that an option turned off ("rw") */
	unsigned long propagation;    /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE|MS_REC */
	char *data;                   /* the other options, comma-joined, or NULL */
	bool bind;                    /* bind or rbind, or type "bind" */
	bool recursive_attr;          /* an r* attribute option (rro, rnosuid...) */
	uint32_t attr_set, attr_clr;  /* MOUNT_ATTR_* of the r* options, for
					 mount_setattr(AT_RECURSIVE) */
	bool idmap;                   /* idmap/ridmap option or mappings given */
	bool idmap_recursive;         /* "ridmap" */
	bool tmpcopyup;               /* "tmpcopyup": tmpfs gets the old contents */
	struct idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
};

/* Hooks, indexed by kind, in runtime.md's order of appearance. */
enum { HOOK_PRESTART, HOOK_CREATE_RUNTIME, HOOK_CREATE_CONTAINER,
       HOOK_START_CONTAINER, HOOK_POSTSTART, HOOK_POSTSTOP, HOOK_N };

struct hook {
	char *path;                   /* absolute */
	char **args, **env;           /* NULL-terminated, may be empty */
	int timeout;                  /* seconds, 0 = none */
};

struct ns {
	int type;                     /* CLONE_NEW* */
	char *path;                   /* join this one, or NULL to create */
};

struct device {
	char *path;                   /* absolute */
	char type;                    /* 'c', 'b', 'u' or 'p' */
	int64_t major, minor;
	bool has_mode, has_uid, has_gid;
	uint32_t mode, uid, gid;      /* fileMode is permission bits only */
};

/* linux.resources.devices */
struct dev_rule {
	bool allow;
	char type;                    /* 'a', 'c' or 'b' ('a' when absent) */
	int64_t major, minor;         /* -1 = wildcard */
	char access[4];               /* subset of "rwm", "rwm" when absent */
};

struct dev_rate { int64_t major, minor; uint64_t rate; };
struct dev_weight { int64_t major, minor; int weight, leaf_weight; };  /* -1 = unset */

struct hugepage { char *page_size; uint64_t limit; };
struct rdma { char *device; int64_t hca_handles, hca_objects; };     /* OPT_UNSET */
struct net_prio { char *name; uint32_t priority; };

/* Every number is OPT_UNSET when absent. */
struct resources {
	bool present;                 /* linux.resources given */
	struct dev_rule *devices;
	size_t n_devices;
	int64_t mem_limit, mem_reservation, mem_swap, mem_kernel, mem_kernel_tcp;
	int64_t mem_swappiness;
	bool mem_disable_oom_killer, mem_use_hierarchy, mem_check_before_update;
	int64_t cpu_shares, cpu_quota, cpu_burst, cpu_period;
	int64_t cpu_realtime_runtime, cpu_realtime_period, cpu_idle;
	char *cpu_cpus, *cpu_mems;
	int64_t pids_limit;
	int64_t blkio_weight, blkio_leaf_weight;
	struct dev_weight *blkio_weight_device;
	size_t n_blkio_weight_device;
	struct dev_rate *blkio_throttle[4];    /* read bps, write bps, read iops, write iops */
	size_t n_blkio_throttle[4];
	struct hugepage *hugepages;
	size_t n_hugepages;
	int64_t net_class_id;
	struct net_prio *net_priorities;
	size_t n_net_priorities;
	struct rdma *rdma;
	size_t n_rdma;
	struct kv *unified;
	size_t n_unified;
};

/* linux.seccomp. Names are kept as strings: the seccomp compiler resolves
 * them per architecture. */
#define OCI_ARCH_X32 0x4000003eU      /* SCMP_ARCH_X32 in arches: not a kernel
					 AUDIT_ARCH (x32 runs as X86_64 with
					 __X32_SYSCALL_BIT); libseccomp's value */
enum { SCMP_OP_NE = 1, SCMP_OP_LT, SCMP_OP_LE, SCMP_OP_EQ, SCMP_OP_GE,
       SCMP_OP_GT, SCMP_OP_MASKED_EQ };
struct scmp_arg { uint32_t index; uint64_t value, value_two; int op; };
struct scmp_rule {
	char **names;
	size_t n_names;
	uint32_t action;              /* SECCOMP_RET_* without data */
	bool has_errno;
	uint32_t errno_ret;
	struct scmp_arg *args;
	size_t n_args;
};
struct seccomp {
	bool present;
	uint32_t default_action;      /* SECCOMP_RET_* */
	bool has_default_errno;
	uint32_t default_errno;
	uint32_t *arches;             /* AUDIT_ARCH_* */
	size_t n_arches;
	uint32_t flags;               /* SECCOMP_FILTER_FLAG_* */
	char *listener_path, *listener_metadata;
	struct scmp_rule *rules;
	size_t n_rules;
};

/* The arches a seccomp filter of this build covers, 0-terminated: the
 * native one first, always filtered, then those the kernel also runs
 * here, filtered when linux.seccomp.architectures lists them, else killed. */
/* OCI_SYSTAB_COLS picks their columns of build/syscalls.h, which the
 * binary (make -DSYSTAB_NATIVE) then keeps alone. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define OCI_SECCOMP_ARCHES ((const uint32_t[]){ AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, OCI_ARCH_X32, 0 })
#define OCI_SYSTAB_COLS(x86_64, i386, x32, aarch64, arm, riscv64, mips64) x86_64, i386, x32
#elif defined(__aarch64__)
#define OCI_SECCOMP_ARCHES ((const uint32_t[]){ AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, 0 })
#define OCI_SYSTAB_COLS(x86_64, i386, x32, aarch64, arm, riscv64, mips64) aarch64, arm
#elif defined(__arm__) && !defined(__ARMEB__)
#define OCI_SECCOMP_ARCHES ((const uint32_t[]){ AUDIT_ARCH_ARM, 0 })
#define OCI_SYSTAB_COLS(x86_64, i386, x32, aarch64, arm, riscv64, mips64) arm
#elif defined(__i386__)
#define OCI_SECCOMP_ARCHES ((const uint32_t[]){ AUDIT_ARCH_I386, 0 })
#define OCI_SYSTAB_COLS(x86_64, i386, x32, aarch64, arm, riscv64, mips64) i386
#elif defined(__riscv) && __riscv_xlen == 64
#define OCI_SECCOMP_ARCHES ((const uint32_t[]){ AUDIT_ARCH_RISCV64, 0 })
#define OCI_SYSTAB_COLS(x86_64, i386, x32, aarch64, arm, riscv64, mips64) riscv64
#elif defined(__mips__) && defined(__MIPSEL__) && defined(_ABI64) && _MIPS_SIM == _ABI64
/* n64 alone: an n32 or o32 process (another audit arch) is killed */
#define OCI_SECCOMP_ARCHES ((const uint32_t[]){ AUDIT_ARCH_MIPSEL64, 0 })
#define OCI_SYSTAB_COLS(x86_64, i386, x32, aarch64, arm, riscv64, mips64) mips64
#else
#define OCI_SECCOMP_ARCHES ((const uint32_t[]){ 0 })   /* no syscall table */
#endif

struct time_offset { int64_t secs; uint32_t nanosecs; };

struct spec {
	char *path;                   /* the config.json as opened, for errors */
	char *oci_version;
	char *root_path;              /* absolute, resolved against the bundle */
	bool root_readonly;
	struct mnt *mounts;
	size_t n_mounts;
	bool has_process;
	struct process process;
	char *hostname, *domainname;
	struct hook *hooks[HOOK_N];
	size_t n_hooks[HOOK_N];
	struct kv *annotations;
	size_t n_annotations;
	/* linux */
	struct ns *namespaces;
	size_t n_namespaces;
	struct idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	bool has_time_offsets;
	struct time_offset time_monotonic, time_boottime;
	struct device *devices;
	size_t n_devices;
	char *cgroups_path;
	struct resources resources;
	struct kv *sysctl;
	size_t n_sysctl;
	struct seccomp seccomp;
	unsigned long rootfs_propagation;   /* MS_* or 0 when absent */
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	bool has_personality;
	unsigned long personality;    /* PER_LINUX or PER_LINUX32 */
	bool has_intel_rdt, has_memory_policy, has_net_devices;
};

/* Reads and parses path (a bundle's config.json) into *s. bundle is the
 * absolute bundle directory that root.path is resolved against. On error
 * prints "<path>: <json.path>: <what was expected>" and returns -1. The
 * memory lives until exit. */
int spec_load(const char *path, const char *bundle, struct spec *s);

/* Parses a process.json (runc exec --process) into *p; same errors. */
int process_load(const char *path, struct process *p);

/* Parses a LinuxResources object (runc update --resources) into *r; same
 * errors, JSON paths relative to it. path NULL: every member unset. */
int resources_load(const char *path, struct resources *r);

/* A list of CPUs ("0-3,7", process.execCPUAffinity) into *set: NULL, or
 * what is wrong with s (to follow "expected ..." phrasing in errors). */
const char *cpu_list_parse(const char *s, cpu_set_t *set);

/* Name tables, also used for command-line flags. -1 when unknown. */
int cap_from_name(const char *name);        /* "CAP_SYS_ADMIN" */
const char *cap_name(int cap);              /* NULL past the table */
int ns_from_name(const char *name);         /* "pid" -> CLONE_NEWPID */
const char *ns_name(int clone_flag);        /* CLONE_NEWPID -> "pid" */

/* ---- state (json.c renders and reads, ocimin.c decides) ------------- */

struct state {
	char id[OCI_IDMAX + 1];
	pid_t pid;                    /* init, in the host's pid namespace */
	unsigned long long start_time;/* field 22 of /proc/<pid>/stat */
	char bundle[4096];
	char rootfs[4096];
	char created[64];             /* RFC 3339, UTC, nanoseconds */
	uint32_t owner;
	char cgroup[4096];            /* absolute path of its cgroup dir, or "" */
	struct kv *annotations;
	size_t n_annotations;
};

/* state.json as ocimin keeps it (internal: with start_time and cgroup)
 * or as `ocimin state` prints it (status given). */
void json_state_write(FILE *f, const struct state *st, const char *status,
		      bool internal);
int json_state_read(const char *path, struct state *st);
void json_list(FILE *f, const struct state *sts, const char **status, size_t n);
/* The name of uid in /etc/passwd, or "#uid", in buf. */
const char *owner_name(uint32_t uid, char *buf, size_t size);
void json_features(FILE *f);
void json_spec_template(FILE *f, bool rootless);
void json_log_line(FILE *f, const char *level, const char *msg, const char *time);
void json_string(FILE *f, const char *s);  /* a quoted, escaped JSON string */
/* The ContainerProcessState sent with a seccomp listener fd (config-linux.md):
 * fds ["seccompFd"], pid, the listenerMetadata, and the state of container
 * id with that status. One line. */
void json_process_state(FILE *f, const struct spec *s, const char *id,
			pid_t pid, const char *bundle, const char *status);

/* ---- container setup (linux.c) --------------------------------------
 * The init runs in a child of ocimin. Before it is forked, ocimin has put
 * the child into its pid and time namespaces (those apply to children
 * only) with linux_enter_child_ns()/linux_restore_ns(). */

struct init_ctx {
	const struct spec *spec;
	int sync_fd;                  /* socketpair end, see ocimin.c for the protocol */
	int fifo_fd;                  /* exec.fifo, O_RDWR: start writes a byte */
	int preserve_fds;             /* keep fds 3 .. 3+n-1 */
	bool no_pivot;
	const char *console_socket;   /* NULL unless --console-socket */
	int console_fd;               /* process.terminal: where the pty master
					 goes (tty_setup), else -1 */
	struct sock_fprog seccomp;    /* linux.seccomp compiled, len 0 if none */
	const char *id;               /* the container's, for a seccomp listener */
	int cgroup_fd;                /* the container's cgroup dir, or -1 */
	bool cgroup_placed;           /* the init was born in it (clone3) */
};

/* In the parent, before fork(): sets the pid and time namespaces that the
 * next child will be in (new or joined), saving the current ones. */
int linux_enter_child_ns(const struct spec *s, int saved[2]);
/* In the parent, after fork(): back to the saved namespaces. */
int linux_restore_ns(int saved[2]);

/* In the child: everything from joining the namespaces to the point just
 * before exec: returns -1 with the error in oci_errbuf. */
int linux_init_setup(struct init_ctx *ctx);
/* In the child, after start released it: closes fds and execs. Only
 * returns on failure (-1). */
int linux_init_exec(struct init_ctx *ctx);

/* Checks done before anything is created, so that a config ocimin cannot
 * honour fails early with nothing left behind. */
int linux_validate(const struct spec *s);

/* User namespaces: with one the init is a grandchild (see ocimin.c). In
 * the first child, linux_userns_create joins the namespaces given by path
 * and makes the user namespace (1 when made, 0 when joined); once ocimin
 * has written its maps (linux_userns_map), linux_userns_finish becomes its
 * root and makes the pid and time namespaces, owned by it. */
bool linux_userns(const struct spec *s);
int linux_userns_create(const struct spec *s);
int linux_userns_map(const struct spec *s, pid_t pid);
int linux_userns_finish(const struct spec *s);
/* In ocimin before forking: detached idmapped copies of the sources of
 * idmapped bind mounts, which the init attaches; released after the fork. */
int linux_idmap_prepare(const struct spec *s);
void linux_idmap_release(void);

/* CVE-2019-5736: a read-only, detached bind mount of ocimin's binary to
 * re-execute from (-1 with errno where it cannot be made), and whether
 * the running binary already is on a read-only mount. */
int linux_exe_ro_clone(void);
bool linux_exe_readonly(int exe);

/* ocimin.c, called by linux_init_setup after the mounts and before
 * pivot_root: the init's side of the hook exchange of the protocol, then
 * the createContainer hooks. */
int init_create_hooks(struct init_ctx *ctx);

/* exec: a new process joining a running container. ocimin opens the
 * init's pidfd and root with linux_exec_open, puts its child into the
 * init's pid namespace with linux_exec_enter_pidns (undone by
 * linux_restore_ns), and the child calls linux_exec_join, then
 * linux_exec_setup, then linux_init_exec with ctx->spec the container's
 * config whose process is the exec'd one. */
struct exec_target {
	pid_t pid;                    /* the init, in ocimin's pid namespace */
	int pidfd;                    /* of the init */
	int root_fd;                  /* /proc/<pid>/root, O_PATH */
	int ns;                       /* CLONE_NEW* where the init is not in ours */
};
int linux_exec_open(pid_t pid, struct exec_target *t);
int linux_exec_enter_pidns(struct exec_target *t, int saved[2]);
int linux_exec_join(struct init_ctx *ctx, struct exec_target *t);
int linux_exec_setup(struct init_ctx *ctx);

/* ---- seccomp (seccomp.c) --------------------------------------------
 * Compiles sc into classic BPF for arches (OCI_SECCOMP_ARCHES, or others
 * in tests): prog->filter is one malloc'd buffer, len 0 when sc is absent.
 * A pure function, no syscall: done in the parent, before anything
 * exists. path (the config.json) prefixes errors; names that no syscall
 * table knows are skipped with one warning line. */
int seccomp_compile(const struct seccomp *sc, const char *path,
		    const uint32_t *arches, struct sock_fprog *prog);

/* ---- terminals (tty.c) ----------------------------------------------
 * process.terminal: the pty is made inside the container, from its
 * devpts, and its master sent over an AF_UNIX socket as runc sends it:
 * to the caller's --console-socket, or to ocimin, which relays it in a
 * foreground run or exec. */
/* SOCK_STREAM, close-on-exec; what names the socket in errors */
int tty_connect(const char *path, const char *what);
/* Sends fd over sock with SCM_RIGHTS, name as the data, as runc's
 * utils.SendRawFd does; -1 with errno set. Async-signal-safe. */
int tty_send_fd(int sock, int fd, const char *name);
/* In the container, its root entered: makes the pty, sends the master
 * over sock (closed), makes the slave stdio and controlling terminal
 * (a new session), binds it on /dev/console when console is true. */
int tty_setup(int sock, const struct process *p, bool console);
int tty_recv(int sock);                    /* the master fd sent on sock */
/* Copies stdin to master and master to stdout until pid exits, in raw
 * mode while stdin is a terminal, passing window size changes on and
 * every other signal to pid (all must be blocked). Returns its exit
 * status as a shell reports it, 255 on error. */
int tty_relay(int master, pid_t pid);

/* ---- cgroups (cgroup.c) ----------------------------------------------
 * cgroup v2 only. A container's cgroup dir is the cgroup2 mount point
 * (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host) plus
 * linux.cgroupsPath (absolute: from the cgroup2 root; relative: below
 * /ocimin) or /ocimin/<id>. It is "" when the host has no cgroup2 mount:
 * such a container runs without a cgroup, and may not ask for limits.
 * Every dir below is such an absolute path, as state.json records it. */

/* The cgroup dir of container id into buf, "" without cgroup2; systemd:
 * a "slice:prefix:name" cgroupsPath (--systemd-cgroup) is mapped to the
 * scope systemd would make. */
int cgroup_resolve(const struct spec *s, const char *id, bool systemd,
		   char *buf, size_t len);
/* Before anything exists: every limit of linux.resources must map to
 * cgroup v2 and have its controller available at dir. */
int cgroup_validate(const struct spec *s, const char *dir);
/* Makes dir (parents too, enabling controllers in them), writes the
 * limits, attaches the device filter. On failure dir is not left. */
int cgroup_create(const struct spec *s, const char *dir);
/* Moves pid (the init, before it runs container code) into dir. */
int cgroup_enter(const char *dir, pid_t pid);
/* Whether the cgroup open at dfd may take a child of clone3
 * CLONE_INTO_CGROUP with all its limits on this kernel. */
bool cgroup_clone_into(int dfd);
/* Kills what is left in dir, waits for it to empty, removes it. */
int cgroup_destroy(const char *dir);
/* Writes what r sets, and only that (update); src names r in errors. */
int cgroup_update(const char *dir, const char *src, const struct resources *r);
int cgroup_freeze(const char *dir, bool frozen);     /* and waits for it */
bool cgroup_frozen(const char *dir);                 /* asked to be frozen */
int cgroup_populated(const char *dir);               /* 1, 0, or -1 */
int cgroup_signal(const char *dir, int sig);         /* every process */
int cgroup_pids(const char *dir, pid_t **pids, size_t *n);   /* malloc'd */

#define CGROUP_STAT_MAX 128
struct cgroup_stats {
	uint64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_usec;
	bool has_memory;              /* the memory controller is enabled */
	uint64_t mem_usage, mem_limit, mem_max_usage;   /* limit: UINT64_MAX = max */
	uint64_t swap_usage, swap_limit;
	uint64_t oom_kills;           /* memory.events oom_kill */
	struct { char name[48]; uint64_t value; } mem_stat[CGROUP_STAT_MAX];
	size_t n_mem_stat;            /* memory.stat, as read */
	uint64_t pids_current, pids_limit;              /* limit: 0 = max */
};
int cgroup_stats(const char *dir, struct cgroup_stats *st);
/* `events` lines (json.c): a stats object, or {"type":type,"id":id} */
void json_stats(FILE *f, const char *id, const struct cgroup_stats *st);
void json_event(FILE *f, const char *type, const char *id);
/* An inotify fd that turns readable when dir's cgroup.events or
 * memory.events change (a process exits, an OOM kill happens). */
int cgroup_watch(const char *dir);

/* ---- ocimin check: what the running kernel and host offer -----------
 * linux.c and cgroup.c probe and append rows; ocimin.c prints them. A
 * needed row that is not "yes" is something the default container
 * (`ocimin spec`) cannot run without. */
enum { CHECK_NO, CHECK_YES, CHECK_INFO };
struct check_item {
	char name[40];
	int status;                   /* CHECK_* */
	bool needed;
	char detail[320];
};
#define CHECK_MAX 64
void check_add(struct check_item *it, size_t *n, const char *name, int status,
	       bool needed, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void linux_check(struct check_item *it, size_t *n);
/* A test switch: whether $OCIMIN_TEST_MISSING (read once; a comma-separated
 * list of "cgroup.kill", "time") pretends this kernel lacks feature, so
 * that the fallbacks and errors of old kernels can be tested here. */
bool oci_test_missing(const char *feature);
void cgroup_check(struct check_item *it, size_t *n);

/* ---- syscalls musl does not wrap ------------------------------------- */
static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
	return syscall(SYS_pivot_root, new_root, put_old);
}

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

static inline int sys_pidfd_send_signal(int pidfd, int sig, void *info,
					unsigned int flags)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

static inline int sys_close_range(unsigned int first, unsigned int last,
				  unsigned int flags)
{
	return syscall(SYS_close_range, first, last, flags);
}

static inline long sys_openat2(int dirfd, const char *path, void *how,
			       size_t size)
{
	return syscall(SYS_openat2, dirfd, path, how, size);
}

static inline int sys_capget(void *hdr, void *data)
{
	return syscall(SYS_capget, hdr, data);
}

static inline int sys_capset(void *hdr, const void *data)
{
	return syscall(SYS_capset, hdr, data);
}

static inline int sys_mount_setattr(int dirfd, const char *path,
				    unsigned int flags, void *attr, size_t size)
{
	return syscall(SYS_mount_setattr, dirfd, path, flags, attr, size);
}

static inline int sys_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return syscall(SYS_open_tree, dirfd, path, flags);
}

static inline int sys_move_mount(int from_dirfd, const char *from, int to_dirfd,
				 const char *to, unsigned int flags)
{
	return syscall(SYS_move_mount, from_dirfd, from, to_dirfd, to, flags);
}

/* Their flags: linux/mount.h clashes with musl's sys/mount.h. */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif

static inline int sys_sched_setattr(pid_t pid, void *attr, unsigned int flags)
{
	return syscall(SYS_sched_setattr, pid, attr, flags);
}

static inline int sys_ioprio_set(int which, int who, int ioprio)
{
	return syscall(SYS_ioprio_set, which, who, ioprio);
}

/* clone3's argument (linux/sched.h, whose CLONE_* clash with musl's) */
struct oci_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define OCI_CLONE_INTO_CGROUP 0x200000000ULL

/* Without CLONE_VM and a stack, clone3 forks: the child returns here. */
static inline long sys_clone3(struct oci_clone_args *args)
{
	return syscall(SYS_clone3, args, sizeof(*args));
}

static inline int sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	return syscall(SYS_seccomp, op, flags, args);
}

static inline int sys_bpf(int cmd, void *attr, unsigned int size)
{
	return syscall(SYS_bpf, cmd, attr, size);
}

#endif
