/* bench/timeit.c - times commands interleaved: for each repetition, every
 * command once (in an order shuffled each round, so that none always runs
 * right after the same other: a runtime's leftovers, the network namespace
 * the kernel tears down after the container exits, would always land on
 * the same one), then prints per command and per step the
 * median, min and max wall time in ns and of the peak RSS in KiB (ru_maxrss
 * from wait4, what GNU time reports, or with -r an exact figure).
 *
 *   timeit [-n N] [-w W] [-e ERRDIR] [-H MOUNT] [-r | -c] SPEC...
 *   SPEC = NAME|NS|STEP|STEP...
 *
 * NS is where every step of the command runs: "host" (timeit's own mount
 * namespace), "v2" (a private copy of it) or "v1" (a private copy without
 * the cgroup2 mount MOUNT given by -H, for runtimes that refuse a hybrid
 * cgroup host). Each step is joined to its namespace with setns() in the
 * forked child whatever it is, so that every command pays the same.
 *
 * A STEP is an argv split on spaces, run without a shell, after an
 * optional "@LABEL" word that names it in the output; "{i}" in it
 * becomes the repetition's number, and a program without a slash is looked
 * up in PATH once, here. The step "wait" waits for the orphans that ended
 * up with timeit (a child subreaper, as containerd's shim): the container
 * init after `create` and `start`. Steps get /dev/null as stdin and stdout,
 * and stderr appended to ERRDIR/NAME.err (else /dev/null). A step that
 * fails takes its command out of the rest of the run ("NAME fail ...").
 *
 * Output, one line per step and one "total" per command (RSS in KiB):
 *   NAME STEP median_ns min_ns max_ns median_rss min_rss max_rss n
 *
 * Peak RSS: ru_maxrss (what GNU time prints) is not exact on Linux 6.2 and
 * later: the mm's RSS counters are per-CPU, and the high-water mark kept
 * at exec and exit reads them without folding the CPUs' pending deltas (up
 * to 32 pages per CPU and counter), so a small static process reads 0 KiB
 * and a small runtime up to a few hundred KiB too low; and a launcher's
 * own fork image (GNU time's: about 1 MiB) counts as its child's. With -r,
 * timeit instead traces each step (ptrace, following forks) and reads
 * VmHWM in /proc/PID/status, where the current RSS is summed exactly, at
 * each execve entry and each exit of every process: the medians of the
 * largest such figure per run are reported in KiB, in place of ru_maxrss.
 * -r slows the steps down: their times are not to be used.
 *
 * With -c each step's CPU time (user + system) is reported too, as one
 * more line per step, NAME STEP-cpu median_ns min_ns max_ns 0 0 0 n: the
 * growth of timeit's RUSAGE_CHILDREN over the step, after the orphans
 * already dead are reaped, so that a container init the runtime did not
 * wait for counts as well. On a loaded machine a wall time mostly
 * measures the wait for a CPU; the CPU time is the work done.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MAXCMD 16
#define MAXSTEP 8
#define MAXARG 64

enum { NS_HOST, NS_V2, NS_V1, NS_N };
static const char *const ns_names[NS_N] = { "host", "v2", "v1" };

struct step {
	char *argv[MAXARG];           /* with "{i}" still in */
	int argc;
	bool wait;                    /* the "wait" step */
	char label[32];
	long long *ns, *rss, *cpu;    /* one per repetition */
};

struct cmd {
	char *name;
	int ns;
	struct step steps[MAXSTEP];
	int n_steps;
	long long *total;
	bool failed;
	int errfd;
};

static struct cmd cmds[MAXCMD];
static int n_cmds;
static int ns_fd[NS_N] = { -1, -1, -1 };
static const char *hide_mount;
static bool trace_rss, cpu_time;
static char cwd[4096];

static void die(const char *what)
{
	fprintf(stderr, "timeit: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		die("calloc");
	return p;
}

/* A fixed xorshift32 sequence: every run shuffles the same way. */
static uint32_t next_rand(void)
{
	static uint32_t x = 2463534242U;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/* order[] in a new order: Fisher-Yates. */
static void shuffle(int *order, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = next_rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* An absolute path for prog, searched in PATH once here, so that the time
 * of a step is not the time of execvp trying each PATH entry. */
static char *resolve(char *prog)
{
	const char *path = getenv("PATH");
	static char buf[4096];

	if (strchr(prog, '/') || !path)
		return prog;
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, prog);
		if (access(buf, X_OK) == 0)
			return strdup(buf);
		p += len + (p[len] == ':');
	}
	fprintf(stderr, "timeit: %s: not found in PATH\n", prog);
	exit(1);
}

static void parse_step(struct step *s, char *text, int n)
{
	char *save = NULL;

	for (char *w = strtok_r(text, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (s->argc == MAXARG - 1) {
			fprintf(stderr, "timeit: too many words in step %s\n", text);
			exit(2);
		}
		s->argv[s->argc++] = w;
	}
	if (s->argc && s->argv[0][0] == '@') {
		snprintf(s->label, sizeof(s->label), "%s", s->argv[0] + 1);
		memmove(s->argv, s->argv + 1, s->argc-- * sizeof(*s->argv));
	} else {
		snprintf(s->label, sizeof(s->label), "step%d", n);
	}
	if (!s->argc) {
		fprintf(stderr, "timeit: empty step\n");
		exit(2);
	}
	s->wait = s->argc == 1 && !strcmp(s->argv[0], "wait");
	if (!s->wait)
		s->argv[0] = resolve(s->argv[0]);
	else if (!strncmp(s->label, "step", 4))
		snprintf(s->label, sizeof(s->label), "wait");
}

static void parse_spec(char *spec, int reps)
{
	struct cmd *c = &cmds[n_cmds++];
	char *save = NULL, *ns, *text;

	c->name = strtok_r(spec, "|", &save);
	ns = strtok_r(NULL, "|", &save);
	if (!c->name || !ns) {
		fprintf(stderr, "timeit: bad spec (NAME|NS|STEP...)\n");
		exit(2);
	}
	for (c->ns = 0; c->ns < NS_N && strcmp(ns_names[c->ns], ns); c->ns++)
		;
	if (c->ns == NS_N) {
		fprintf(stderr, "timeit: unknown namespace %s (host, v2, v1)\n", ns);
		exit(2);
	}
	while ((text = strtok_r(NULL, "|", &save))) {
		struct step *s = &c->steps[c->n_steps];

		if (c->n_steps == MAXSTEP) {
			fprintf(stderr, "timeit: too many steps for %s\n", c->name);
			exit(2);
		}
		parse_step(s, text, c->n_steps);
		s->ns = xcalloc(reps, sizeof(long long));
		s->rss = xcalloc(reps, sizeof(long long));
		s->cpu = xcalloc(reps, sizeof(long long));
		c->n_steps++;
	}
	c->total = xcalloc(reps, sizeof(long long));
	c->errfd = -1;
}

/* A mount namespace kept by an fd: a child makes it and waits on a pipe
 * while its parent opens /proc/PID/ns/mnt. */
static int make_ns(bool hide)
{
	int ready[2], hold[2], fd;
	char path[64], c;
	pid_t pid;

	if (pipe(ready) < 0 || pipe(hold) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			die("make a private mount namespace");
		if (hide && umount2(hide_mount, MNT_DETACH) < 0)
			die(hide_mount);
		write(ready[1], "r", 1);
		read(hold[0], &c, 1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	if (read(ready[0], &c, 1) != 1) {
		fprintf(stderr, "timeit: could not make a mount namespace\n");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	close(hold[1]);
	close(ready[0]);
	waitpid(pid, NULL, 0);
	return fd;
}

/* argv with "{i}" replaced by the repetition number, in bufs. */
static void expand(const struct step *s, int rep, char **argv, char bufs[][256])
{
	for (int i = 0; i < s->argc; i++) {
		const char *w = s->argv[i], *at = strstr(w, "{i}");

		if (!at) {
			argv[i] = (char *)w;
			continue;
		}
		snprintf(bufs[i], 256, "%.*s%d%s", (int)(at - w), w, rep, at + 3);
		argv[i] = bufs[i];
	}
	argv[s->argc] = NULL;
}

static void child(const struct cmd *c, char **argv)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* setns() leaves the cwd at the namespace's root */
	if (ns_fd[c->ns] >= 0 && (setns(ns_fd[c->ns], CLONE_NEWNS) < 0 || chdir(cwd) < 0))
		_exit(125);
	dup2(null, 0);
	dup2(null, 1);
	dup2(c->errfd >= 0 ? c->errfd : null, 2);
	if (trace_rss && ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		_exit(126);
	execv(argv[0], argv);
	_exit(127);
}

/* Waits for every child but pid-less orphans already waited: used by the
 * "wait" step and between rounds. */
static void reap_all(bool block, long long *rss)
{
	struct rusage ru;
	pid_t p;

	while ((p = wait4(-1, NULL, block ? 0 : WNOHANG, &ru)) > 0)
		if (rss && ru.ru_maxrss > *rss)
			*rss = ru.ru_maxrss;
}

/* VmHWM of pid in KiB, 0 when gone. */
static long long vmhwm(pid_t pid)
{
	char path[64], buf[4096], *p;
	long long kib = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	if ((p = strstr(buf, "\nVmHWM:")))
		kib = strtoll(p + 7, NULL, 10);
	return kib;
}

/* Runs the traced step pid until every process it made is gone; its exit
 * status in *status, the largest VmHWM seen in *peak. */
static void trace_tree(pid_t pid, int *status, long long *peak)
{
	const long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
			  PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |
			  PTRACE_O_EXITKILL;
	struct __ptrace_syscall_info info;
	int st, sig;
	pid_t w;

	*peak = 0;
	while ((w = waitpid(-1, &st, __WALL)) > 0) {
		long long kib;

		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (w == pid)
				*status = st;
			continue;
		}
		sig = WSTOPSIG(st);
		if (w == pid && sig == SIGTRAP && !(st >> 16)) {
			/* the stop after the first exec: set the options */
			ptrace(PTRACE_SETOPTIONS, w, NULL, (void *)opts);
			sig = 0;
		} else if (sig == (SIGTRAP | 0x80)) {
			sig = 0;
			if (ptrace(PTRACE_GET_SYSCALL_INFO, w, (void *)sizeof(info), &info) > 0 &&
			    info.op == PTRACE_SYSCALL_INFO_ENTRY &&
			    (info.entry.nr == SYS_execve || info.entry.nr == SYS_execveat) &&
			    (kib = vmhwm(w)) > *peak)
				*peak = kib;
		} else if (sig == SIGTRAP && (st >> 16)) {
			if (st >> 16 == PTRACE_EVENT_EXIT && (kib = vmhwm(w)) > *peak)
				*peak = kib;
			sig = 0;
		} else if (sig == SIGSTOP && (st >> 16) == 0) {
			/* a new tracee's first stop, or a real SIGSTOP: either way
			 * nothing in this bench stops processes on purpose */
			sig = 0;
		}
		ptrace(PTRACE_SYSCALL, w, NULL, (void *)(long)sig);
	}
}

/* User + system time of the children reaped so far, in ns. */
static long long children_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru) < 0)
		die("getrusage");
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

/* One step; 0, or its exit status (shell-like) when it failed. */
static int run_step(struct cmd *c, struct step *s, int rep, long long *ns, long long *rss,
		    long long *cpu)
{
	char bufs[MAXARG][256], *argv[MAXARG];
	struct rusage ru;
	long long t0, cpu0 = children_cpu();
	int status;
	pid_t pid;

	*rss = 0;
	if (s->wait) {
		t0 = now_ns();
		reap_all(true, rss);
		*ns = now_ns() - t0;
		*cpu = children_cpu() - cpu0;
		return 0;
	}
	expand(s, rep, argv, bufs);
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child(c, argv);
	if (trace_rss) {
		trace_tree(pid, &status, rss);
		*ns = now_ns() - t0;
		goto out;
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	*ns = now_ns() - t0;
	*rss = ru.ru_maxrss;
	if (cpu_time)
		reap_all(false, NULL);
out:
	*cpu = children_cpu() - cpu0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static void run_cmd(struct cmd *c, int rep, int slot)
{
	long long ns, rss, cpu, total = 0;

	for (int k = 0; k < c->n_steps; k++) {
		struct step *s = &c->steps[k];
		int rc = run_step(c, s, rep, &ns, &rss, &cpu);

		if (rc) {
			printf("%s fail %s status %d\n", c->name, s->label, rc);
			fflush(stdout);
			c->failed = true;
			reap_all(false, NULL);
			return;
		}
		if (slot >= 0) {
			s->ns[slot] = ns;
			s->rss[slot] = rss;
			s->cpu[slot] = cpu;
		}
		total += ns;
	}
	if (slot >= 0)
		c->total[slot] = total;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long long median(long long *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_ll);
	/* n odd: the middle one; n even: the mean of the two middle ones */
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const char *name, const char *label, long long *v, long long *rss, int n)
{
	long long t = median(v, n), r = rss ? median(rss, n) : 0;

	printf("%s %s %lld %lld %lld %lld %lld %lld %d\n", name, label, t, v[0], v[n - 1],
	       r, rss ? rss[0] : 0, rss ? rss[n - 1] : 0, n);
}

static void usage(void)
{
	fprintf(stderr, "usage: timeit [-n N] [-w WARMUP] [-e ERRDIR] [-H CGROUP2MOUNT] [-r | -c] NAME|NS|STEP|STEP...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int reps = 21, warm = 3, opt, order[MAXCMD];
	const char *errdir = NULL;
	char path[4096];

	while ((opt = getopt(argc, argv, "+n:w:e:H:rc")) != -1) {
		switch (opt) {
		case 'n': reps = atoi(optarg); break;
		case 'w': warm = atoi(optarg); break;
		case 'e': errdir = optarg; break;
		case 'H': hide_mount = optarg; break;
		case 'r': trace_rss = true; break;
		case 'c': cpu_time = true; break;
		default: usage();
		}
	}
	if (optind == argc || reps < 1 || warm < 0 || (trace_rss && cpu_time))
		usage();
	if (!getcwd(cwd, sizeof(cwd)))
		die("getcwd");
	for (int i = optind; i < argc; i++) {
		if (n_cmds == MAXCMD)
			usage();
		parse_spec(argv[i], reps);
	}
	for (int i = 0; i < n_cmds; i++) {
		struct cmd *c = &cmds[i];

		if (c->ns == NS_V1 && !hide_mount) {
			fprintf(stderr, "timeit: %s: namespace v1 needs -H\n", c->name);
			exit(2);
		}
		if (c->ns != NS_HOST && ns_fd[c->ns] < 0)
			ns_fd[c->ns] = make_ns(c->ns == NS_V1);
		if (errdir) {
			snprintf(path, sizeof(path), "%s/%s.err", errdir, c->name);
			c->errfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
			if (c->errfd < 0)
				die(path);
		}
	}
	/* the container inits whose runtime exited come to us, as to a shim */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		die("become a child subreaper");
	for (int k = 0; k < n_cmds; k++)
		order[k] = k;
	for (int r = 0; r < warm + reps; r++) {
		shuffle(order, n_cmds);
		for (int k = 0; k < n_cmds; k++) {
			struct cmd *c = &cmds[order[k]];

			if (!c->failed)
				run_cmd(c, r, r < warm ? -1 : r - warm);
		}
		reap_all(false, NULL);
	}
	for (int i = 0; i < n_cmds; i++) {
		struct cmd *c = &cmds[i];

		if (c->failed)
			continue;
		for (int k = 0; k < c->n_steps; k++) {
			report(c->name, c->steps[k].label, c->steps[k].ns, c->steps[k].rss, reps);
			if (cpu_time) {
				char label[40];

				snprintf(label, sizeof(label), "%s-cpu", c->steps[k].label);
				report(c->name, label, c->steps[k].cpu, NULL, reps);
			}
		}
		report(c->name, "total", c->total, NULL, reps);
	}
	return 0;
}
