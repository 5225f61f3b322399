/* t/unit.h - what the C unit tests (t/unit-json.c, t/unit-seccomp.c) and
 * fuzz/fuzz.c share. Each of them is built without ocimin.c, so its error
 * functions are stood in for here: they print nothing, but keep the last
 * message as ocimin would print it, for the tests to compare, and count
 * errors and warnings. Then TAP output, and the seccomp arches of each
 * build. Included once per test binary, after ocimin.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/audit.h>

char *oci_errbuf;
static char last[4096];         /* the last message, as ocimin would print it */
static int n_errors, n_warnings;

static void keep(const char *fmt, va_list ap, int errnum)
{
	int n = vsnprintf(last, sizeof(last), fmt, ap);

	if (errnum && n >= 0 && (size_t)n < sizeof(last))
		snprintf(last + n, sizeof(last) - n, ": %s", strerror(errnum));
}

int oci_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	keep(fmt, ap, 0);
	va_end(ap);
	n_errors++;
	return -1;
}

int oci_syserr(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	keep(fmt, ap, errnum);
	va_end(ap);
	n_errors++;
	return -1;
}

void oci_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	keep(fmt, ap, 0);
	va_end(ap);
	n_warnings++;
}

void oci_debug(const char *fmt, ...)
{
	(void)fmt;
}

/* ---- TAP (unused by fuzz/fuzz.c) -------------------------------------- */

static int n_tests, n_failed;

__attribute__((format(printf, 2, 3), unused))
static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	n_tests++;
	printf("%sok %d - ", cond ? "" : "not ", n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond) {
		n_failed++;
		printf("#\tlast message: %s\n", last);
	}
	fflush(stdout);
	return cond;
}

/* The plan, last; the exit status of main(). */
__attribute__((unused))
static int done_testing(void)
{
	printf("1..%d\n", n_tests);
	return n_failed != 0;
}

/* ---- seccomp ---------------------------------------------------------- */

/* What a build on each native arch passes as OCI_SECCOMP_ARCHES (ocimin.h):
 * the tests compile every filter for all of them. */
__attribute__((unused))
static const uint32_t *const builds[] = {
	(const uint32_t[]){ AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, OCI_ARCH_X32, 0 },
	(const uint32_t[]){ AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, 0 },
	(const uint32_t[]){ AUDIT_ARCH_ARM, 0 },
	(const uint32_t[]){ AUDIT_ARCH_I386, 0 },
	(const uint32_t[]){ AUDIT_ARCH_RISCV64, 0 },
	(const uint32_t[]){ AUDIT_ARCH_MIPSEL64, 0 },
};
