/* ocimin.h - the whole cross-file surface of ocimin: the parsed config
 * (struct spec), container state, error reporting and the syscalls that
 * musl does not wrap. Everything else in every .c file is static. */
#ifndef OCIMIN_H
#define OCIMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/types.h>

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

/* write(2) until done or a real error; -1 with errno set. */
int write_all(int fd, const void *buf, size_t len);

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
void json_features(FILE *f);
void json_spec_template(FILE *f, bool rootless);
void json_log_line(FILE *f, const char *level, const char *msg, const char *time);
void json_string(FILE *f, const char *s);  /* a quoted, escaped JSON string */

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

/* ---- cgroups (cgroup.c) ---------------------------------------------- */
int cgroup_validate(const struct spec *s);

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

static inline int sys_sched_setattr(pid_t pid, void *attr, unsigned int flags)
{
	return syscall(SYS_sched_setattr, pid, attr, flags);
}

static inline int sys_ioprio_set(int which, int who, int ioprio)
{
	return syscall(SYS_ioprio_set, which, who, ioprio);
}

static inline int sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	return syscall(SYS_seccomp, op, flags, args);
}

#endif
