// SPDX-License-Identifier: GPL-2.0
/*
 * initorder - a device is reachable only once the module's init can no
 * longer fail.
 *
 *   initorder NODE KO [INSMOD ARG...]
 *
 * NODE is a node made by hand for minor 0 of the major the module had: a
 * reload gets the same dynamic major.  A child opens NODE in a loop (ENXIO
 * while there is no char device behind it) while the parent runs insmod
 * KO.  The moment an open succeeds, everything else init makes must be
 * there already: /proc/scullmem and each node's class device.  Were it
 * not, an open would hold a reference on a module whose init could still
 * fail and free what the open file uses.  Exit 0 when the open came after
 * them, 1 when it came before, 2 on an error of the test itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const after[] = {
	"/proc/scullmem",
	"/sys/class/scullmem/scullp/dev",
	"/sys/class/scullmem/scullv/dev",
	"/sys/class/scullmem/scullk/dev",
	"/sys/class/scullmem/scullc/dev",
	"/sys/class/scullmem/scullh/dev",
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Spin on open(NODE); on success, report what is missing.  Exit status as main's. */
static int opener(const char *node)
{
	double end = now() + 120;
	unsigned int i, missing = 0;
	struct stat st;
	int fd;

	for (;;) {
		fd = open(node, O_RDONLY);
		if (fd >= 0)
			break;
		if (errno != ENXIO && errno != ENODEV) {
			fprintf(stderr, "initorder: open %s: %s\n", node, strerror(errno));
			return 2;
		}
		if (now() > end) {
			fprintf(stderr, "initorder: %s never opened\n", node);
			return 2;
		}
	}
	for (i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		if (stat(after[i], &st)) {
			printf("# initorder: %s opened before %s existed\n", node, after[i]);
			missing++;
		}
	}
	close(fd);
	return missing ? 1 : 0;
}

int main(int argc, char **argv)
{
	int st, ost;
	pid_t child, ins;

	if (argc < 3) {
		fprintf(stderr, "usage: initorder NODE KO [INSMOD ARG...]\n");
		return 2;
	}
	child = fork();
	if (child < 0)
		return 2;
	if (!child)
		_exit(opener(argv[1]));
	ins = fork();
	if (ins < 0)
		return 2;
	if (!ins) {
		argv[1] = "insmod";
		execvp("insmod", argv + 1);
		_exit(127);
	}
	if (waitpid(ins, &st, 0) != ins || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "initorder: insmod failed\n");
		kill(child, SIGKILL);
		waitpid(child, &ost, 0);
		return 2;
	}
	if (waitpid(child, &ost, 0) != child || !WIFEXITED(ost))
		return 2;
	return WEXITSTATUS(ost);
}
