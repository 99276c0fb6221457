// SPDX-License-Identifier: GPL-2.0
/*
 * numapol: run a command under a NUMA memory policy, as numactl's
 * --membind, --interleave and --preferred do, without libnuma (the guests'
 * roots have no numactl):
 *
 *   numapol bind|interleave|preferred NODES -- COMMAND [ARG]...
 *
 * NODES: a list as /sys/devices/system/node/online prints it ("0-1",
 * "1", "0,2"), or "all" for the online nodes.  The policy is the task's
 * (set_mempolicy(2)), inherited by COMMAND across exec.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_PREFERRED	1
#define MPOL_BIND	2
#define MPOL_INTERLEAVE	3

#define MAX_NODES	64

static int bad_args(void)
{
	fprintf(stderr, "usage: numapol bind|interleave|preferred NODES|all -- COMMAND [ARG]...\n");
	return 2;
}

/* parse_nodes: "0-1,3" into a mask; -1 on a malformed list. */
static int parse_nodes(const char *list, unsigned long *mask)
{
	const char *p = list;
	char *end;

	*mask = 0;
	while (*p) {
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p || lo < 0 || lo >= MAX_NODES)
			return -1;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo || hi >= MAX_NODES)
				return -1;
		}
		for (long n = lo; n <= hi; n++)
			*mask |= 1UL << n;
		if (*end == ',')
			end++;
		else if (*end && *end != '\n')
			return -1;
		else if (*end == '\n')
			end++;
		p = end;
	}
	return *mask ? 0 : -1;
}

static int online_nodes(char *buf, size_t len)
{
	FILE *f = fopen("/sys/devices/system/node/online", "r");

	if (!f)
		return -1;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	char online[256];
	const char *nodes;
	unsigned long mask;
	int mode;

	if (argc < 5 || strcmp(argv[3], "--"))
		return bad_args();
	if (!strcmp(argv[1], "bind"))
		mode = MPOL_BIND;
	else if (!strcmp(argv[1], "interleave"))
		mode = MPOL_INTERLEAVE;
	else if (!strcmp(argv[1], "preferred"))
		mode = MPOL_PREFERRED;
	else
		return bad_args();
	nodes = argv[2];
	if (!strcmp(nodes, "all")) {
		if (online_nodes(online, sizeof(online))) {
			perror("numapol: /sys/devices/system/node/online");
			return 1;
		}
		nodes = online;
	}
	if (parse_nodes(nodes, &mask)) {
		fprintf(stderr, "numapol: bad node list '%s'\n", nodes);
		return 2;
	}
	/* maxnode: the kernel reads maxnode - 1 bits of the mask. */
	if (syscall(SYS_set_mempolicy, mode, &mask, (unsigned long)MAX_NODES + 1)) {
		fprintf(stderr, "numapol: set_mempolicy(%s, %s): %s\n", argv[1], nodes,
			strerror(errno));
		return 1;
	}
	execvp(argv[4], argv + 4);
	fprintf(stderr, "numapol: %s: %s\n", argv[4], strerror(errno));
	return 127;
}
