/* SPDX-License-Identifier: MIT */
/*
 * usdtrace/sdt.h - USDT probes for C and C++ that cost less when traced.
 *
 * A probe site of <sys/sdt.h> is a 1-byte `nop`. A uprobe on it traps with
 * int3 on every hit (~5 us here). On x86-64 the kernel can instead turn a
 * uprobe on a 5-byte nop into a call (~1.3 us), so this header places
 * `nopl 0x0(%rax,%rax,1)` (0f 1f 44 00 00) at each site; elsewhere a plain
 * `nop`. The notes are the standard `.note.stapsdt` ones (owner "stapsdt",
 * type 3, with `.stapsdt.base`), so readelf, bpftrace, bcc, perf, gdb and
 * usdtrace all see and trace these probes; untraced, a probe costs a nop.
 *
 *   USDTRACE_PROBE(provider, name, args...)      0 to 12 arguments
 *   USDTRACE_SEMAPHORE(provider, name)           define its semaphore (once)
 *   USDTRACE_SEMAPHORE_EXTERN(provider, name)    declare it in other files
 *   USDTRACE_PROBE_ENABLED(provider, name)       non-zero while traced
 *
 * A probe records a semaphore only when one is defined for it: the note
 * names `provider_name_semaphore` as a weak symbol, which is 0 otherwise.
 * Arguments are integers or pointers; each is recorded as "SIZE@OPERAND"
 * with a negative SIZE when signed, as <sys/sdt.h> does.
 */
#ifndef USDTRACE_SDT_INCLUDE_H
#define USDTRACE_SDT_INCLUDE_H

#if defined(__x86_64__)
#define _UT_NOP		".byte 0x0f, 0x1f, 0x44, 0x00, 0x00"
#else
#define _UT_NOP		"nop"
#endif

#if __SIZEOF_POINTER__ == 8
#define _UT_ADDR	".8byte "
#else
#define _UT_ADDR	".4byte "
#endif

/*
 * An argument as recorded: arrays decay to their address, like a function
 * argument would; the size is negative when the type is signed.
 */
#ifdef __cplusplus
template <typename T> static inline T usdtrace_decay(T v)
{
	return v;	/* by value: arrays and functions decay to pointers */
}
template <typename T> struct usdtrace_arg_sign {
	static const int value = ((T)-1 < (T)0) ? -1 : 1;
};
template <typename T> struct usdtrace_arg_sign<T *> {
	static const int value = 1;
};
#define _UT_VAL(x)	(x)
#define _UT_SIZE(x)							\
	(usdtrace_arg_sign<__typeof__(usdtrace_decay(x))>::value *	\
	 (int)sizeof(usdtrace_decay(x)))
#else
/* pointers and arrays (class 5) are unsigned addresses */
#define _UT_PTR(x)	(__builtin_classify_type(x) == 5)
#define _UT_VAL(x)	__builtin_choose_expr(_UT_PTR(x), (unsigned long)(x), (x))
#define _UT_SIGNED(x)							\
	__builtin_choose_expr(_UT_PTR(x), 0,				\
		(__typeof__(__builtin_choose_expr(_UT_PTR(x), 0, (x))))-1 < 0)
#define _UT_SIZE(x)							\
	((_UT_SIGNED(x) ? -1 : 1) *					\
	 (int)__builtin_choose_expr(_UT_PTR(x), sizeof(void *), sizeof(x)))
#endif

#define _UT_STR(x)	#x
#define _UT_XSTR(x)	_UT_STR(x)

/* "SIZE@OPERAND" of argument k: the compiler prints both. */
#define _UT_F(k)	"%c[_ut_s" #k "]@%[_ut_a" #k "]"
#define _UT_T0		""
#define _UT_T1		_UT_F(1)
#define _UT_T2		_UT_T1 " " _UT_F(2)
#define _UT_T3		_UT_T2 " " _UT_F(3)
#define _UT_T4		_UT_T3 " " _UT_F(4)
#define _UT_T5		_UT_T4 " " _UT_F(5)
#define _UT_T6		_UT_T5 " " _UT_F(6)
#define _UT_T7		_UT_T6 " " _UT_F(7)
#define _UT_T8		_UT_T7 " " _UT_F(8)
#define _UT_T9		_UT_T8 " " _UT_F(9)
#define _UT_T10		_UT_T9 " " _UT_F(10)
#define _UT_T11		_UT_T10 " " _UT_F(11)
#define _UT_T12		_UT_T11 " " _UT_F(12)

#define _UT_OP(k, x)	[_ut_s##k] "n" (_UT_SIZE(x)), [_ut_a##k] "nor" (_UT_VAL(x))
#define _UT_O0()
#define _UT_O1(a)	_UT_OP(1, a)
#define _UT_O2(a, b)	_UT_O1(a), _UT_OP(2, b)
#define _UT_O3(a, b, c)	_UT_O2(a, b), _UT_OP(3, c)
#define _UT_O4(a, b, c, d)	_UT_O3(a, b, c), _UT_OP(4, d)
#define _UT_O5(a, b, c, d, e)	_UT_O4(a, b, c, d), _UT_OP(5, e)
#define _UT_O6(a, b, c, d, e, f)	_UT_O5(a, b, c, d, e), _UT_OP(6, f)
#define _UT_O7(a, b, c, d, e, f, g)	_UT_O6(a, b, c, d, e, f), _UT_OP(7, g)
#define _UT_O8(a, b, c, d, e, f, g, h)	_UT_O7(a, b, c, d, e, f, g), _UT_OP(8, h)
#define _UT_O9(a, b, c, d, e, f, g, h, i) _UT_O8(a, b, c, d, e, f, g, h), _UT_OP(9, i)
#define _UT_O10(a, b, c, d, e, f, g, h, i, j)				\
	_UT_O9(a, b, c, d, e, f, g, h, i), _UT_OP(10, j)
#define _UT_O11(a, b, c, d, e, f, g, h, i, j, k)			\
	_UT_O10(a, b, c, d, e, f, g, h, i, j), _UT_OP(11, k)
#define _UT_O12(a, b, c, d, e, f, g, h, i, j, k, l)			\
	_UT_O11(a, b, c, d, e, f, g, h, i, j, k), _UT_OP(12, l)

#define _UT_NARGS(...)	_UT_NARGS_(_, ##__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, \
				   2, 1, 0)
#define _UT_NARGS_(_, a, b, c, d, e, f, g, h, i, j, k, l, n, ...) n
#define _UT_CAT(a, b)	a##b
#define _UT_XCAT(a, b)	_UT_CAT(a, b)

/*
 * The site, then its note: site address, .stapsdt.base, semaphore (weak:
 * 0 when none is defined), provider, name, args. "?" puts the note in the
 * section group of the function, so probes in C++ inline functions and
 * templates go away with the code the linker drops.
 */
#define _UT_PROBE(provider, name, n, ...)				\
	__asm__ __volatile__(						\
		"990:	" _UT_NOP "\n"					\
		"	.weak " _UT_XSTR(provider) "_" _UT_XSTR(name) "_semaphore\n" \
		"	.pushsection .note.stapsdt,\"?\",\"note\"\n"	\
		"	.balign 4\n"					\
		"	.4byte 992f-991f, 994f-993f, 3\n"		\
		"991:	.asciz \"stapsdt\"\n"				\
		"992:	.balign 4\n"					\
		"993:	" _UT_ADDR "990b\n"				\
		"	" _UT_ADDR "_.stapsdt.base\n"			\
		"	" _UT_ADDR _UT_XSTR(provider) "_" _UT_XSTR(name) "_semaphore\n" \
		"	.asciz \"" _UT_XSTR(provider) "\"\n"		\
		"	.asciz \"" _UT_XSTR(name) "\"\n"		\
		"	.asciz \"" _UT_T##n "\"\n"			\
		"994:	.balign 4\n"					\
		"	.popsection\n"					\
		"	.ifndef _.stapsdt.base\n"			\
		"	.pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n" \
		"	.weak _.stapsdt.base\n"				\
		"	.hidden _.stapsdt.base\n"			\
		"_.stapsdt.base: .space 1\n"				\
		"	.size _.stapsdt.base, 1\n"			\
		"	.popsection\n"					\
		"	.endif\n"					\
		: : _UT_O##n(__VA_ARGS__))

#define _UT_PROBE_N(provider, name, n, ...) _UT_PROBE(provider, name, n, ##__VA_ARGS__)

#define USDTRACE_PROBE(provider, name, ...)				\
	_UT_PROBE_N(provider, name, _UT_NARGS(__VA_ARGS__), ##__VA_ARGS__)

#define USDTRACE_SEMAPHORE(provider, name)				\
	__extension__ unsigned short provider##_##name##_semaphore	\
		__attribute__((section(".probes"), used))

#define USDTRACE_SEMAPHORE_EXTERN(provider, name)			\
	__extension__ extern unsigned short provider##_##name##_semaphore

#define USDTRACE_PROBE_ENABLED(provider, name)				\
	__builtin_expect(provider##_##name##_semaphore != 0, 0)

#endif /* USDTRACE_SDT_INCLUDE_H */
