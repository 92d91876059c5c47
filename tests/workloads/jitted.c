// SPDX-License-Identifier: MIT
/*
 * jitted.c - code in an anonymous executable mapping, as a JIT compiler
 * makes it, calling a function with a USDT probe: a stack through it has
 * a [jit] frame that only /tmp/perf-PID.map can name. Prints the address
 * of its code, then runs it N times (argv[1]) for each line read on stdin.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sdt.h>

__attribute__((noinline)) void jit_callee(int i)
{
	DTRACE_PROBE1(jitted, hit, i);
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	/* sub rsp,8; mov rax,IMM64; call rax; add rsp,8; ret: the callee's
	 * argument stays in edi as main passes it */
	unsigned char code[] = { 0x48, 0x83, 0xec, 0x08, 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
				 0xff, 0xd0, 0x48, 0x83, 0xc4, 0x08, 0xc3 };
	uint64_t callee = (uint64_t)(uintptr_t)&jit_callee;
	int n = argc > 1 ? atoi(argv[1]) : 3, i;
	void (*jitted)(int);
	char line[16];
	void *page;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (page == MAP_FAILED)
		return 1;
	memcpy(code + 6, &callee, 8);
	memcpy(page, code, sizeof(code));
	jitted = (void (*)(int))page;
	printf("%llx %zx\n", (unsigned long long)(uintptr_t)page, sizeof(code));
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		for (i = 0; i < n; i++)
			jitted(i);
		printf("ran\n");
		fflush(stdout);
	}
	return 0;
}
