/* ocimin.c - command line, container state and the OCI lifecycle.
 *
 * create forks the container's init, which sets up everything and then
 * blocks reading <root>/<id>/exec.fifo; start writes a byte into it and
 * removes it. So "created" is: the init lives and exec.fifo exists.
 *
 * Parent/init protocol on one SOCK_SEQPACKET socketpair:
 *   (1) parent -> init: one byte 'G', once the init may start its setup
 *       (the parent has placed it: namespaces, later cgroup and id maps).
 *   (2) init -> parent: a struct sync_msg, READY when it waits on the fifo
 *       or ERROR with the one-line reason, after which it _exits.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ocimin.h"

#define DEFAULT_ROOT "/run/ocimin"

enum { SYNC_READY = 1, SYNC_ERROR = 2 };
struct sync_msg {
	int type;
	char msg[OCI_ERRMAX];
};

/* Global options, shared by every command. */
static struct {
	const char *root;
	const char *log_path;
	bool log_json;
	bool debug;
	FILE *log;
} g = { .root = DEFAULT_ROOT };

char *oci_errbuf;

/* ---- errors and logging ------------------------------------------------ */

static void rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

static void emit(const char *level, const char *msg)
{
	char now[64];

	if (oci_errbuf) {
		/* the init keeps its first error for the parent */
		if (!oci_errbuf[0] && strcmp(level, "debug"))
			snprintf(oci_errbuf, OCI_ERRMAX, "%s", msg);
		return;
	}
	if (g.log) {
		rfc3339(now, sizeof(now));
		if (g.log_json)
			json_log_line(g.log, level, msg, now);
		else
			fprintf(g.log, "time=\"%s\" level=%s msg=\"%s\"\n", now, level, msg);
		fflush(g.log);
	}
	if (!strcmp(level, "debug") && g.log)
		return;
	if (!g.log && g.log_json) {
		rfc3339(now, sizeof(now));
		json_log_line(stderr, level, msg, now);
		return;
	}
	fprintf(stderr, "ocimin: %s%s\n", strcmp(level, "warning") ? "" : "warning: ", msg);
}

static void vemit(const char *level, int errnum, const char *fmt, va_list ap)
{
	char msg[OCI_ERRMAX];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (errnum && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	emit(level, msg);
}

int oci_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit("error", 0, fmt, ap);
	va_end(ap);
	return -1;
}

int oci_syserr(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vemit("error", errnum, fmt, ap);
	va_end(ap);
	errno = errnum;
	return -1;
}

void oci_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit("warning", 0, fmt, ap);
	va_end(ap);
}

void oci_debug(const char *fmt, ...)
{
	va_list ap;

	if (!g.debug)
		return;
	va_start(ap, fmt);
	vemit("debug", 0, fmt, ap);
	va_end(ap);
}

/* ---- small helpers ------------------------------------------------------ */

static int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[OCI_ERRMAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	oci_err("%s%s%s (see 'ocimin %s%s--help')", cmd ? cmd : "", cmd ? ": " : "",
		msg, cmd ? cmd : "", cmd ? " " : "");
	return 2;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* An id names a directory under --root: keep it to what runc allows. */
static int check_id(const char *id)
{
	size_t n = strlen(id);

	if (!n || n > OCI_IDMAX || !strcmp(id, ".") || !strcmp(id, ".."))
		return oci_err("invalid container id \"%s\"", id);
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
			return oci_err("invalid container id \"%s\": only letters, digits and _+-. are allowed", id);
	return 0;
}

static int path_join(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s/%s", a, b);

	if (n < 0 || (size_t)n >= len)
		return oci_err("path %s/%s: too long", a, b);
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return oci_err("create %s: path too long", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return oci_syserr("create %s", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return oci_syserr("create %s", buf);
	return 0;
}

/* Field 22 of /proc/<pid>/stat, and the state letter (field 3): together
 * they tell whether pid is still the process we started. Parsed by hand:
 * sscanf would pull musl's float scanner into the binary. */
static int proc_stat(pid_t pid, unsigned long long *start, char *state)
{
	char path[64], buf[1024], *p, *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* the command name may hold spaces and ')': skip to the last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	*state = p[2];
	for (int field = 3; field <= 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	*start = strtoull(p + 1, &end, 10);
	return end == p + 1 ? -1 : 0;
}

/* ---- state ---------------------------------------------------------------- */

struct container {
	char dir[PATH_MAX];
	int dirfd;
	struct state st;
};

static bool init_alive(const struct state *st)
{
	unsigned long long start;
	char c;

	if (st->pid <= 0 || proc_stat(st->pid, &start, &c) < 0)
		return false;
	return start == st->start_time && c != 'Z' && c != 'X' && c != 'x';
}

static const char *status_of(const struct container *c)
{
	if (!init_alive(&c->st))
		return "stopped";
	if (faccessat(c->dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return "created";
	return "running";
}

/* Opens <root>/<id> and reads its state.json. lock takes an exclusive
 * flock on the directory so that start, kill and delete do not race. */
static int container_load(const char *id, struct container *c, bool lock)
{
	char path[PATH_MAX];

	c->dirfd = -1;
	if (check_id(id) < 0 || path_join(c->dir, sizeof(c->dir), g.root, id) < 0)
		return -1;
	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0) {
		if (errno == ENOENT)
			return oci_err("container %s does not exist", id);
		return oci_syserr("open %s", c->dir);
	}
	if (lock && flock(c->dirfd, LOCK_EX) < 0)
		return oci_syserr("lock %s", c->dir);
	if (path_join(path, sizeof(path), c->dir, "state.json") < 0)
		return -1;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return oci_err("container %s is still being created or its create failed", id);
	return json_state_read(path, &c->st);
}

static int state_save(struct container *c)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd;

	if (path_join(tmp, sizeof(tmp), c->dir, "state.json.tmp") < 0)
		return -1;
	fd = openat(c->dirfd, "state.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return oci_syserr("write %s", tmp);
	}
	json_state_write(f, &c->st, NULL, true);
	if (fflush(f) != 0 || ferror(f)) {
		oci_syserr("write %s", tmp);
		fclose(f);
		unlinkat(c->dirfd, "state.json.tmp", 0);
		return -1;
	}
	fclose(f);
	if (renameat(c->dirfd, "state.json.tmp", c->dirfd, "state.json") < 0) {
		oci_syserr("rename %s", tmp);
		unlinkat(c->dirfd, "state.json.tmp", 0);
		return -1;
	}
	return 0;
}

/* The pid file is written to a temp file and renamed, so a caller polling
 * for it never reads half a number. */
static int write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], num[32];
	int fd, n = snprintf(tmp, sizeof(tmp), "%s.ocimin-tmp", path);

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return oci_err("write pid file %s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return oci_syserr("write pid file %s", tmp);
	n = snprintf(num, sizeof(num), "%d", pid);
	if (write_all(fd, num, n) < 0 || close(fd) < 0) {
		oci_syserr("write pid file %s", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		oci_syserr("rename %s", tmp);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Removes the state dir: what create made, in any state of completion. */
static int container_remove(const char *dir)
{
	static const char *const files[] = {
		"exec.fifo", "state.json", "state.json.tmp",
	};
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : oci_syserr("open %s", dir);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlinkat(fd, files[i], 0);
	close(fd);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return oci_syserr("remove %s", dir);
	return 0;
}

/* ---- signals --------------------------------------------------------------- */

static const struct { const char *name; int sig; } signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
	{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
	{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "POLL", SIGPOLL }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

static int parse_signal(const char *s)
{
	char *end;
	long n;

	if (isdigit((unsigned char)*s)) {
		n = strtol(s, &end, 10);
		if (*end || n < 1 || n > _NSIG - 1)
			return oci_err("kill: invalid signal \"%s\"", s);
		return n;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (!strcasecmp(s, signals[i].name))
			return signals[i].sig;
	if (!strncasecmp(s, "RTMIN+", 6) || !strncasecmp(s, "RTMAX-", 6)) {
		n = strtol(s + 6, &end, 10);
		n = s[5] == '+' ? SIGRTMIN + n : SIGRTMAX - n;
		if (!*end && n >= SIGRTMIN && n <= SIGRTMAX)
			return n;
	}
	return oci_err("kill: unknown signal \"%s\"", s);
}

/* Signals the init through a pidfd checked against the recorded start
 * time, so a pid recycled since create is never signalled. */
static int signal_init(const struct state *st, int sig)
{
	int pidfd = sys_pidfd_open(st->pid, 0);

	if (pidfd < 0 && errno != ENOSYS)
		return oci_err("container %s is not running", st->id);
	if (!init_alive(st)) {
		if (pidfd >= 0)
			close(pidfd);
		return oci_err("container %s is not running", st->id);
	}
	if (pidfd < 0) {
		if (kill(st->pid, sig) < 0)
			return oci_syserr("kill %s", st->id);
		return 0;
	}
	if (sys_pidfd_send_signal(pidfd, sig, NULL, 0) < 0) {
		oci_syserr("kill %s", st->id);
		close(pidfd);
		return -1;
	}
	close(pidfd);
	return 0;
}

/* kill --all without a cgroup: every process in the init's pid namespace,
 * when the container has one of its own. */
static int signal_all(const struct state *st, int sig)
{
	char path[64], ns[64], other[64];
	struct dirent *de;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", st->pid);
	n = readlink(path, ns, sizeof(ns) - 1);
	if (n < 0 || readlink("/proc/self/ns/pid", other, sizeof(other)) < 0)
		return signal_init(st, sig);
	ns[n] = 0;
	if (!strncmp(ns, other, n))
		return signal_init(st, sig);
	if (signal_init(st, sig) < 0)
		return -1;
	if (!(d = opendir("/proc")))
		return 0;
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name);
		if (pid <= 0 || pid == st->pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
		n = readlink(path, other, sizeof(other) - 1);
		if (n > 0 && (size_t)n == strlen(ns) && !strncmp(ns, other, n))
			kill(pid, sig);
	}
	closedir(d);
	return 0;
}

/* Waits up to timeout_ms for the init to be gone (or a zombie: the
 * init is not our child, its new parent reaps it). */
static int wait_gone(const struct state *st, int timeout_ms)
{
	for (int waited = 0; init_alive(st); waited += 10) {
		if (waited >= timeout_ms)
			return oci_err("container %s: init %d did not exit", st->id, st->pid);
		usleep(10000);
	}
	return 0;
}

/* ---- create ---------------------------------------------------------------- */

struct create_opts {
	const char *id;
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	bool detach;
	bool keep;
	int preserve_fds;
};

/* Things ocimin parses but cannot do yet: refused before anything exists. */
static int check_supported(const struct spec *s, const struct create_opts *o)
{
	if (!s->has_process)
		return oci_err("%s: process: required to create a container", s->path);
	for (int i = 0; i < HOOK_N; i++)
		if (s->n_hooks[i])
			return oci_err("%s: hooks: hooks are not supported yet", s->path);
	if (s->process.terminal)
		return oci_err("%s: process.terminal: terminals are not supported yet", s->path);
	if (o->console_socket)
		return oci_err("create: --console-socket: terminals are not supported yet");
	if (linux_validate(s) < 0 || cgroup_validate(s) < 0)
		return -1;
	return 0;
}

static void init_fail(int sync_fd)
{
	struct sync_msg m = { .type = SYNC_ERROR };

	snprintf(m.msg, sizeof(m.msg), "%s", oci_errbuf[0] ? oci_errbuf : "container init failed");
	write_all(sync_fd, &m, sizeof(m));
	_exit(1);
}

/* The container's init, in the child. Never returns. */
static void init_main(struct init_ctx *ctx, int parent_end)
{
	static char errbuf[OCI_ERRMAX];
	struct sync_msg m = { .type = SYNC_READY };
	char c;

	oci_errbuf = errbuf;
	close(parent_end);
	/* (1) wait for the parent to have placed us */
	if (read(ctx->sync_fd, &c, 1) != 1)
		_exit(1);
	if (linux_init_setup(ctx) < 0)
		init_fail(ctx->sync_fd);
	/* (2) ready: create returns and the container is "created" */
	if (write_all(ctx->sync_fd, &m, sizeof(m)) < 0)
		_exit(1);
	close(ctx->sync_fd);
	while (read(ctx->fifo_fd, &c, 1) < 0 && errno == EINTR)
		;
	linux_init_exec(ctx);
	dprintf(2, "ocimin: %s\n", errbuf);
	_exit(127);
}

/* Forks the init into its pid and time namespaces. */
static pid_t spawn_init(struct init_ctx *ctx, int sv[2])
{
	int saved[2] = { -1, -1 };
	pid_t pid;

	if (linux_enter_child_ns(ctx->spec, saved) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		ctx->sync_fd = sv[1];
		init_main(ctx, sv[0]);
	}
	if (pid < 0)
		oci_syserr("fork container init");
	if (linux_restore_ns(saved) < 0 && pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* Runs the parent's side of the protocol; 0 once the init is ready. */
static int sync_init(const struct create_opts *o, int fd)
{
	struct sync_msg m;
	ssize_t n;

	/* (1) */
	if (write_all(fd, "G", 1) < 0)
		return oci_syserr("start container init");
	/* (2) */
	do
		n = read(fd, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(m))
		return oci_err("create %s: container init exited during setup", o->id);
	if (m.type != SYNC_READY) {
		m.msg[sizeof(m.msg) - 1] = 0;
		return oci_err("%s", m.msg);
	}
	return 0;
}

static void fill_state(struct container *c, const struct create_opts *o,
		       const struct spec *s, pid_t pid)
{
	char c_state;

	snprintf(c->st.id, sizeof(c->st.id), "%s", o->id);
	c->st.pid = pid;
	proc_stat(pid, &c->st.start_time, &c_state);
	snprintf(c->st.bundle, sizeof(c->st.bundle), "%s", o->bundle);
	snprintf(c->st.rootfs, sizeof(c->st.rootfs), "%s", s->root_path);
	rfc3339(c->st.created, sizeof(c->st.created));
	c->st.owner = getuid();
	c->st.annotations = s->annotations;
	c->st.n_annotations = s->n_annotations;
}

/* Makes <root>/<id> with its exec.fifo; fails if the id is taken. */
static int make_state_dir(struct container *c, const char *id)
{
	if (mkdir_p(g.root, 0700) < 0 || path_join(c->dir, sizeof(c->dir), g.root, id) < 0)
		return -1;
	if (mkdir(c->dir, 0700) < 0) {
		if (errno == EEXIST)
			return oci_err("container %s already exists", id);
		return oci_syserr("create %s", c->dir);
	}
	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0 || mkfifoat(c->dirfd, "exec.fifo", 0600) < 0) {
		oci_syserr("create %s/exec.fifo", c->dir);
		container_remove(c->dir);
		return -1;
	}
	return 0;
}

/* create, and the first half of run. On success *pidp is the init and
 * *fifo_fd an fd of exec.fifo (run writes to it to start). */
static int container_create(struct create_opts *o, struct container *c,
			    pid_t *pidp, int *fifo_fd)
{
	static struct spec spec;
	struct init_ctx ctx = { .spec = &spec, .fifo_fd = -1, .sync_fd = -1 };
	char bundle[PATH_MAX], config[PATH_MAX];
	int sv[2] = { -1, -1 }, ret = -1;
	pid_t pid = -1;

	if (check_id(o->id) < 0)
		return -1;
	if (!realpath(o->bundle, bundle))
		return oci_syserr("open bundle %s", o->bundle);
	o->bundle = bundle;
	if (path_join(config, sizeof(config), bundle, "config.json") < 0 ||
	    spec_load(config, bundle, &spec) < 0 || check_supported(&spec, o) < 0)
		return -1;
	if (make_state_dir(c, o->id) < 0)
		return -1;
	ctx.fifo_fd = openat(c->dirfd, "exec.fifo", O_RDWR | O_CLOEXEC);
	if (ctx.fifo_fd < 0) {
		oci_syserr("open %s/exec.fifo", c->dir);
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		oci_syserr("create sync socket");
		goto out;
	}
	if (chdir(bundle) < 0) {
		oci_syserr("chdir to bundle %s", bundle);
		goto out;
	}
	ctx.preserve_fds = o->preserve_fds;
	ctx.no_pivot = o->no_pivot;
	ctx.console_socket = o->console_socket;
	pid = spawn_init(&ctx, sv);
	if (pid < 0)
		goto out;
	close(sv[1]);
	sv[1] = -1;
	if (sync_init(o, sv[0]) < 0)
		goto out;
	fill_state(c, o, &spec, pid);
	if (state_save(c) < 0)
		goto out;
	if (o->pid_file && write_pid_file(o->pid_file, pid) < 0)
		goto out;
	*pidp = pid;
	*fifo_fd = ctx.fifo_fd;
	ctx.fifo_fd = -1;
	ret = 0;
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (ctx.fifo_fd >= 0)
		close(ctx.fifo_fd);
	if (ret < 0) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		container_remove(c->dir);
	}
	return ret;
}

/* ---- commands ---------------------------------------------------------------- */

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static const struct command *current;

static int print_help(const struct command *cmd);

/* Parses a command's options with a table; returns the index of the first
 * operand, -2 after --help, or -1 on a usage error (already reported). */
static int parse_opts(int argc, char **argv, const struct option *opts,
		      const char *shorts, void (*set)(int, const char *, void *),
		      void *arg)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		if (c == 'h')
			return print_help(current), -2;
		if (c == '?' || c == ':') {
			if (optopt)
				usage_error(current->name, "unknown or incomplete option '-%c'", optopt);
			else
				usage_error(current->name, "unknown or incomplete option '%s'", argv[optind - 1]);
			return -1;
		}
		if (set)
			set(c, optarg, arg);
	}
	return optind;
}

static const char help_shown[] = "";

/* Exactly one operand, the container id; help_shown after --help. */
static const char *one_id(int argc, char **argv, int i)
{
	if (i == -2)
		return help_shown;
	if (i < 0)
		return NULL;
	if (argc - i != 1) {
		usage_error(current->name, argc - i ? "too many arguments" : "container id required");
		return NULL;
	}
	return argv[i];
}

static int opt_err;

static int parse_preserve(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s == 0 || *end || n < 0 || n > 1 << 20) {
		usage_error(current->name, "--preserve-fds: expected a number, got \"%s\"", s);
		opt_err = 1;
		return 0;
	}
	return n;
}

enum { O_NO_PIVOT = 256, O_NO_KEYRING, O_PRESERVE, O_KEEP, O_FORMAT, O_ROOTLESS };

static const struct option create_options[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "pid-file", required_argument, NULL, 'p' },
	{ "console-socket", required_argument, NULL, 'c' },
	{ "no-pivot", no_argument, NULL, O_NO_PIVOT },
	{ "no-new-keyring", no_argument, NULL, O_NO_KEYRING },
	{ "preserve-fds", required_argument, NULL, O_PRESERVE },
	{ "detach", no_argument, NULL, 'd' },
	{ "keep", no_argument, NULL, O_KEEP },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static void set_create(int c, const char *v, void *arg)
{
	struct create_opts *o = arg;

	switch (c) {
	case 'b': o->bundle = v; break;
	case 'p': o->pid_file = v; break;
	case 'c': o->console_socket = v; break;
	case O_NO_PIVOT: o->no_pivot = true; break;
	case O_NO_KEYRING: break;	/* ocimin never creates a session keyring */
	case O_PRESERVE: o->preserve_fds = parse_preserve(v); break;
	case 'd': o->detach = true; break;
	case O_KEEP: o->keep = true; break;
	}
}

/* Parses create's or run's options; run also takes -d and --keep. */
static int create_args(int argc, char **argv, struct create_opts *o, bool run)
{
	int i = parse_opts(argc, argv, create_options, run ? "+b:dh" : "+b:h", set_create, o);

	if (i < 0)
		return i;
	if (opt_err)
		return -1;
	if (!run && (o->detach || o->keep))
		return usage_error(current->name, "unknown option '%s'", o->detach ? "--detach" : "--keep"), -1;
	if (!(o->id = one_id(argc, argv, i)))
		return -1;
	if (o->pid_file && o->pid_file[0] != '/') {
		static char abs[PATH_MAX];
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)) || path_join(abs, sizeof(abs), cwd, o->pid_file) < 0)
			return -1;
		o->pid_file = abs;
	}
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	struct create_opts o = { .bundle = "." };
	struct container c = { .dirfd = -1 };
	int fifo_fd, i = create_args(argc, argv, &o, false);
	pid_t pid;

	if (i < 0)
		return i == -2 ? 0 : 2;
	return container_create(&o, &c, &pid, &fifo_fd) < 0;
}

static int start_created(struct container *c)
{
	const char *status = status_of(c);
	int fd;

	if (strcmp(status, "created"))
		return oci_err("cannot start container %s: it is %s, not created", c->st.id, status);
	fd = openat(c->dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return oci_syserr("start container %s: open exec.fifo", c->st.id);
	if (write_all(fd, "S", 1) < 0) {
		oci_syserr("start container %s", c->st.id);
		close(fd);
		return -1;
	}
	close(fd);
	unlinkat(c->dirfd, "exec.fifo", 0);
	return 0;
}

static int cmd_start(int argc, char **argv)
{
	struct container c;
	const char *id = one_id(argc, argv, parse_opts(argc, argv, create_options + 8, "+h", NULL, NULL));

	if (!id || id == help_shown)
		return id ? 0 : 2;
	if (container_load(id, &c, true) < 0)
		return 1;
	return start_created(&c) < 0;
}

/* After start: forwards signals to the init until it exits, returns the
 * exit status the way a shell reports it. */
static int wait_init(pid_t pid)
{
	sigset_t all;
	int status, sig;

	sigfillset(&all);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return oci_syserr("wait for container init"), 255;
		sig = sigwaitinfo(&all, NULL);
		if (sig > 0 && sig != SIGCHLD)
			kill(pid, sig);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int cmd_run(int argc, char **argv)
{
	struct create_opts o = { .bundle = "." };
	struct container c = { .dirfd = -1 };
	sigset_t all, old;
	int fifo_fd, ret, i = create_args(argc, argv, &o, true);
	pid_t pid;

	if (i < 0)
		return i == -2 ? 0 : 2;
	/* a caller's SIG_IGN for SIGCHLD would reap the init behind our back */
	signal(SIGCHLD, SIG_DFL);
	/* blocked before the fork so no signal is lost; the init unblocks
	 * them before exec */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (container_create(&o, &c, &pid, &fifo_fd) < 0)
		return 1;
	if (write_all(fifo_fd, "S", 1) < 0) {
		oci_syserr("start container %s", o.id);
		kill(pid, SIGKILL);
	}
	close(fifo_fd);
	unlinkat(c.dirfd, "exec.fifo", 0);
	if (o.detach)
		return 0;
	ret = wait_init(pid);
	if (!o.keep)
		container_remove(c.dir);
	return ret;
}

static int cmd_state(int argc, char **argv)
{
	struct container c;
	const char *id = one_id(argc, argv, parse_opts(argc, argv, create_options + 8, "+h", NULL, NULL));

	if (!id || id == help_shown)
		return id ? 0 : 2;
	if (container_load(id, &c, false) < 0)
		return 1;
	json_state_write(stdout, &c.st, status_of(&c), false);
	return 0;
}

static const struct option kill_options[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static void set_flag(int c, const char *v, void *arg)
{
	(void)v;
	(void)c;
	*(bool *)arg = true;
}

static int cmd_kill(int argc, char **argv)
{
	bool all = false;
	int i = parse_opts(argc, argv, kill_options, "+ah", set_flag, &all), sig = SIGTERM;
	struct container c;
	const char *status;

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (argc - i < 1 || argc - i > 2)
		return usage_error("kill", argc - i ? "too many arguments" : "container id required");
	if (argc - i == 2 && (sig = parse_signal(argv[i + 1])) < 0)
		return 1;
	if (container_load(argv[i], &c, true) < 0)
		return 1;
	status = status_of(&c);
	if (strcmp(status, "created") && strcmp(status, "running"))
		return oci_err("cannot kill container %s: it is %s", c.st.id, status), 1;
	return (all ? signal_all(&c.st, sig) : signal_init(&c.st, sig)) < 0;
}

static const struct option delete_options[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static int cmd_delete(int argc, char **argv)
{
	bool force = false;
	const char *id = one_id(argc, argv, parse_opts(argc, argv, delete_options, "+fh", set_flag, &force));
	struct container c;
	const char *status;
	char dir[PATH_MAX];

	if (!id || id == help_shown)
		return id ? 0 : 2;
	if (container_load(id, &c, true) < 0) {
		/* an aborted create leaves a dir without state.json */
		if (!force || c.dirfd < 0 || path_join(dir, sizeof(dir), g.root, id) < 0)
			return 1;
		return container_remove(dir) < 0;
	}
	status = status_of(&c);
	if (strcmp(status, "stopped")) {
		if (!force)
			return oci_err("cannot delete container %s: it is %s (use --force)", id, status), 1;
		if (signal_all(&c.st, SIGKILL) < 0 && init_alive(&c.st))
			return 1;
		if (wait_gone(&c.st, 10000) < 0)
			return 1;
	}
	return container_remove(c.dir) < 0;
}

static const struct option list_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

struct list_opts { bool json, quiet, bad; };

static void set_list(int c, const char *v, void *arg)
{
	struct list_opts *o = arg;

	if (c == 'q')
		o->quiet = true;
	else if (!strcmp(v, "json"))
		o->json = true;
	else if (strcmp(v, "table"))
		o->bad = true;
}

static void owner_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "#%u", uid);
}

static void list_table(const struct state *sts, const char **status, size_t n)
{
	char owner[64];

	printf("%-12s %-10s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS",
	       "BUNDLE", "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++) {
		owner_name(sts[i].owner, owner, sizeof(owner));
		printf("%-12s %-10d %-10s %-40s %-32s %s\n", sts[i].id,
		       strcmp(status[i], "stopped") ? sts[i].pid : 0, status[i],
		       sts[i].bundle, sts[i].created, owner);
	}
}

static int cmd_list(int argc, char **argv)
{
	struct list_opts o = { 0 };
	int i = parse_opts(argc, argv, list_options, "+f:qh", set_list, &o);
	struct container *cs = NULL;
	struct state *sts = NULL;
	const char **status = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (o.bad || argc != i)
		return usage_error("list", o.bad ? "--format: expected table or json" : "too many arguments");
	d = opendir(g.root);
	if (!d && errno != ENOENT)
		return oci_syserr("open %s", g.root), 1;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			cs = realloc(cs, cap * sizeof(*cs));
			if (!cs)
				return oci_err("list: out of memory"), 1;
		}
		oci_errbuf = (char[OCI_ERRMAX]){ 0 };	/* a broken entry is skipped */
		if (container_load(de->d_name, &cs[n], false) == 0)
			n++;
		else if (cs[n].dirfd >= 0)
			close(cs[n].dirfd);
		oci_errbuf = NULL;
	}
	if (d)
		closedir(d);
	sts = calloc(n + 1, sizeof(*sts));
	status = calloc(n + 1, sizeof(*status));
	if (!sts || !status)
		return oci_err("list: out of memory"), 1;
	for (size_t k = 0; k < n; k++) {
		sts[k] = cs[k].st;
		status[k] = status_of(&cs[k]);
	}
	if (o.quiet)
		for (size_t k = 0; k < n; k++)
			puts(sts[k].id);
	else if (o.json)
		json_list(stdout, sts, status, n);
	else
		list_table(sts, status, n);
	return 0;
}

static const struct option spec_options[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "rootless", no_argument, NULL, O_ROOTLESS },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

struct spec_opts { const char *bundle; bool rootless; };

static void set_spec(int c, const char *v, void *arg)
{
	struct spec_opts *o = arg;

	if (c == 'b')
		o->bundle = v;
	else
		o->rootless = true;
}

static int cmd_spec(int argc, char **argv)
{
	struct spec_opts o = { .bundle = "." };
	int i = parse_opts(argc, argv, spec_options, "+b:h", set_spec, &o), fd;
	char path[PATH_MAX];
	FILE *f;

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (argc != i)
		return usage_error("spec", "too many arguments");
	if (path_join(path, sizeof(path), o.bundle, "config.json") < 0)
		return 1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		return oci_err("spec: %s exists; remove it first", path), 1;
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return oci_syserr("spec: create %s", path), 1;
	json_spec_template(f, o.rootless);
	if (fclose(f) != 0)
		return oci_syserr("spec: write %s", path), 1;
	return 0;
}

static int cmd_features(int argc, char **argv)
{
	int i = parse_opts(argc, argv, create_options + 8, "+h", NULL, NULL);

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (argc != i)
		return usage_error("features", "too many arguments");
	json_features(stdout);
	return 0;
}

/* Commands of later issues: known, so the message says what is missing. */
static int cmd_later(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--help"))
		return print_help(current);
	return oci_err("%s: not supported yet", current->name), 1;
}

static const struct command commands[] = {
	{ "create", cmd_create, "create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID",
	  "Create a container: set it up and leave its init waiting for start." },
	{ "start", cmd_start, "start ID", "Start a created container's process." },
	{ "state", cmd_state, "state ID", "Print a container's state as JSON." },
	{ "kill", cmd_kill, "kill [--all] ID [SIGNAL]",
	  "Send SIGNAL (default TERM; a name with or without SIG, or a number) to the init, or with --all to every process." },
	{ "delete", cmd_delete, "delete [--force] ID", "Delete a stopped container; --force kills it first." },
	{ "run", cmd_run, "run [--bundle DIR] [--pid-file FILE] [--detach] [--keep] [--no-pivot] [--preserve-fds N] ID",
	  "Create and start a container, wait for it and delete it; exits with its status." },
	{ "exec", cmd_later, "exec ID COMMAND...", "Run a process in a container (not supported yet)." },
	{ "list", cmd_list, "list [--format table|json] [--quiet]", "List containers." },
	{ "ps", cmd_later, "ps ID", "List a container's processes (not supported yet)." },
	{ "pause", cmd_later, "pause ID", "Freeze a container (not supported yet)." },
	{ "resume", cmd_later, "resume ID", "Thaw a container (not supported yet)." },
	{ "update", cmd_later, "update ID", "Change a container's resources (not supported yet)." },
	{ "events", cmd_later, "events ID", "Print a container's events and stats (not supported yet)." },
	{ "features", cmd_features, "features", "Print what this runtime supports, as runtime-spec features JSON." },
	{ "spec", cmd_spec, "spec [--bundle DIR] [--rootless]", "Write a default config.json into the bundle." },
};

static int print_help(const struct command *cmd)
{
	if (cmd) {
		printf("usage: ocimin [global options] %s\n\n%s\n", cmd->usage, cmd->help);
		return 0;
	}
	printf("usage: ocimin [global options] COMMAND [options] [ID]\n\n"
	       "ocimin runs OCI containers: a runc-compatible runtime in one static binary.\n\n"
	       "Global options:\n"
	       "  --root DIR          state directory (default " DEFAULT_ROOT ")\n"
	       "  --log FILE          also write log lines to FILE\n"
	       "  --log-format FMT    text or json\n"
	       "  --debug             log debug messages\n"
	       "  --systemd-cgroup    accepted for compatibility\n"
	       "  --version, --help\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-9s %s\n", commands[i].name, commands[i].help);
	return 0;
}

enum { G_ROOT = 256, G_LOG, G_LOG_FORMAT, G_DEBUG, G_SYSTEMD, G_VERSION, G_CRIU };

static const struct option global_options[] = {
	{ "root", required_argument, NULL, G_ROOT },
	{ "log", required_argument, NULL, G_LOG },
	{ "log-format", required_argument, NULL, G_LOG_FORMAT },
	{ "debug", no_argument, NULL, G_DEBUG },
	{ "systemd-cgroup", no_argument, NULL, G_SYSTEMD },
	{ "criu", required_argument, NULL, G_CRIU },
	{ "version", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/* Global options; returns the index of the command, or -1/-2 as parse_opts. */
static int global_args(int argc, char **argv)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", global_options, NULL)) != -1) {
		switch (c) {
		case G_ROOT: g.root = optarg; break;
		case G_LOG: g.log_path = optarg; break;
		case G_LOG_FORMAT:
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				return usage_error(NULL, "--log-format: expected text or json"), -1;
			g.log_json = !strcmp(optarg, "json");
			break;
		case G_DEBUG: g.debug = true; break;
		case G_SYSTEMD: case G_CRIU: break;
		case 'v':
			printf("ocimin version " OCIMIN_VERSION "\nspec: " OCI_SPEC_VERSION "\n");
			return -2;
		case 'h': print_help(NULL); return -2;
		default:
			return usage_error(NULL, "unknown or incomplete option '%s'", argv[optind - 1]), -1;
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	int i = global_args(argc, argv);

	if (i < 0)
		return i == -2 ? 0 : 2;
	if (g.log_path) {
		int fd = open(g.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0 || !(g.log = fdopen(fd, "a")))
			return oci_syserr("open log %s", g.log_path), 1;
	}
	if (i >= argc)
		return usage_error(NULL, "a command is required");
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
		if (strcmp(argv[i], commands[k].name))
			continue;
		current = &commands[k];
		return commands[k].fn(argc - i, argv + i);
	}
	return usage_error(NULL, "unknown command \"%s\"", argv[i]);
}
