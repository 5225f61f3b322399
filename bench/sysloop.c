/* bench/sysloop.c - the payload of bench's per-syscall case: the cost of
 * one syscall inside the container, under whatever seccomp filter the
 * runtime loaded (or none), in ns per call on stderr:
 *
 *   sysloop [CALLS [ROUNDS]]
 *   -> "sysloop getppid NS personality NS"
 *
 * getppid decides on its number alone in Docker's profile: a filter that
 * loads only arch and nr for it lets the kernel's constant-action bitmap
 * (Linux 5.11) allow it without running the filter. personality(0xffffffff)
 * (query the persona, change nothing) is allowed by the profile's last
 * rule on arg 0, so the filter runs and compares the argument. Both are
 * raw syscall() calls: no libc wrapper or cache in between.
 *
 * The two calls alternate in ROUNDS rounds of CALLS calls each, and the
 * fastest round of each is printed: a round that was preempted or
 * migrated is slower, never faster. A call the filter denies fails the
 * run: its cost would not be the one measured. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#define PERSONALITY_QUERY 0xffffffffUL

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long time_getppid(long calls)
{
	long long t = now_ns();

	for (long i = 0; i < calls; i++)
		syscall(SYS_getppid);
	return now_ns() - t;
}

static long long time_personality(long calls)
{
	long long t = now_ns();

	for (long i = 0; i < calls; i++)
		syscall(SYS_personality, PERSONALITY_QUERY);
	return now_ns() - t;
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 1000;
	long rounds = argc > 2 ? atol(argv[2]) : 100;
	long long best_g = -1, best_p = -1, t;

	if (calls <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: sysloop [CALLS [ROUNDS]]\n");
		return 2;
	}
	/* getppid cannot fail; personality can, if the filter denies it */
	if (syscall(SYS_personality, PERSONALITY_QUERY) == -1) {
		fprintf(stderr, "sysloop: personality(0xffffffff): %s\n", strerror(errno));
		return 1;
	}
	for (long r = 0; r < rounds; r++) {
		t = time_getppid(calls);
		if (best_g < 0 || t < best_g)
			best_g = t;
		t = time_personality(calls);
		if (best_p < 0 || t < best_p)
			best_p = t;
	}
	fprintf(stderr, "sysloop getppid %.1f personality %.1f\n",
		(double)best_g / calls, (double)best_p / calls);
	return 0;
}
