// SPDX-License-Identifier: MIT
/*
 * test_pylayout.c - the profiler's CPython 3.11 layout table
 * (lang-adapters/python.c) checked with offsetof() against python3.11-dev's
 * own headers, and 3.11's location table decoded as the interpreter does
 * (the expected lines are what code.co_lines() gave for the same bytes).
 */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <internal/pycore_code.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_runtime.h>
#include <stddef.h>

#include "../../lang-adapters/interp.h"
#include "test.h"

#define OFF(field, want, name) \
	CHECK(st, (size_t)(want) == (field), name, "%zu, table %u", (size_t)(field), \
	      (unsigned int)(want))

static void test_offsets(struct test_stats *st)
{
	const struct py_layout *l = py_layout__find(PY_VERSION_HEX >> 16);

	CHECK(st, l && PY_VERSION_HEX >> 16 == 0x030b, "layout: one for the headers' 3.11",
	      "%x", PY_VERSION_HEX);
	if (!l)
		return;
	OFF(offsetof(_PyRuntimeState, gilstate.autoTSSkey) + offsetof(Py_tss_t, _key),
	    l->proc.py.tss_key_off, "layout: _PyRuntime.gilstate.autoTSSkey._key");
	OFF(offsetof(PyThreadState, cframe), l->proc.py.tstate_cframe, "layout: tstate->cframe");
	OFF(offsetof(_PyCFrame, current_frame), l->proc.py.cframe_frame,
	    "layout: cframe->current_frame");
	OFF(offsetof(_PyInterpreterFrame, f_code), l->proc.py.frame_code, "layout: frame f_code");
	OFF(offsetof(_PyInterpreterFrame, previous), l->proc.py.frame_previous,
	    "layout: frame previous");
	OFF(offsetof(_PyInterpreterFrame, prev_instr), l->proc.py.frame_instr,
	    "layout: frame prev_instr");
	OFF(offsetof(_PyInterpreterFrame, is_entry), l->proc.py.frame_entry,
	    "layout: frame is_entry");
	OFF(offsetof(_PyInterpreterFrame, owner), l->proc.py.frame_owner, "layout: frame owner");
	CHECK(st, l->proc.py.frame_owner < UT_INTERP_FRAME_READ &&
	      l->proc.py.frame_instr + 8 <= UT_INTERP_FRAME_READ, "layout: a frame is read whole",
	      "%d", UT_INTERP_FRAME_READ);
	OFF(offsetof(PyCodeObject, co_firstlineno), l->code_firstlineno, "layout: co_firstlineno");
	OFF(offsetof(PyCodeObject, co_argcount), l->code_argcount, "layout: co_argcount");
	OFF(offsetof(PyCodeObject, co_filename), l->code_filename, "layout: co_filename");
	OFF(offsetof(PyCodeObject, co_name), l->code_name, "layout: co_name");
	OFF(offsetof(PyCodeObject, co_qualname), l->code_qualname, "layout: co_qualname");
	OFF(offsetof(PyCodeObject, co_linetable), l->code_linetable, "layout: co_linetable");
	OFF(offsetof(PyCodeObject, co_code_adaptive), l->code_first_instr,
	    "layout: the first instruction (co_code_adaptive)");
	OFF(sizeof(PyCodeObject), l->code_size, "layout: a code object's size");
	OFF(offsetof(PyBytesObject, ob_base.ob_size), l->bytes_size, "layout: bytes ob_size");
	OFF(offsetof(PyBytesObject, ob_sval), l->bytes_data, "layout: bytes ob_sval");
	OFF(offsetof(PyASCIIObject, length), l->str_length, "layout: str length");
	OFF(offsetof(PyASCIIObject, state), l->str_state, "layout: str state");
	OFF(sizeof(PyASCIIObject), l->str_ascii_data, "layout: compact ASCII characters");
	OFF(sizeof(PyCompactUnicodeObject), l->str_compact_data, "layout: compact characters");
	OFF(offsetof(PyTypeObject, tp_basicsize), l->type_basicsize, "layout: tp_basicsize");
	CHECK(st, !py_layout__find(0x030c) && !py_layout__find(0x030a),
	      "layout: none for a version the table does not know", "found");
}

/*
 * def f(a, b):            # line 1
 *     x = a + b
 *     if x > 3:
 *         y = [i * 2 for i in range(x)]
 *     else:
 *         y = None
 *
 *     return (x,
 *             y)
 */
static const uint8_t linetable[] = {
	0x80, 0x00, 0xd8, 0x08, 0x09, 0x88, 0x41, 0x89, 0x05, 0x80, 0x41, 0xd8,
	0x07, 0x08, 0x88, 0x31, 0x82, 0x75, 0x80, 0x75, 0xd8, 0x0c, 0x25, 0xd0,
	0x0c, 0x25, 0x9d, 0x45, 0xa0, 0x21, 0x99, 0x48, 0x9c, 0x48, 0xd0, 0x0c,
	0x25, 0xd1, 0x0c, 0x25, 0xd4, 0x0c, 0x25, 0x88, 0x01, 0x88, 0x01, 0xe0,
	0x0c, 0x10, 0x88, 0x01, 0xe0, 0x0c, 0x0d, 0xd8, 0x0c, 0x0d, 0xf0, 0x03,
	0x01, 0x0c, 0x0f, 0xf0, 0x00, 0x01, 0x05, 0x0f,
};

static const int lines[] = {
	1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 6, 6,
	8, 9, 8, 8,
};

static void test_linetable(struct test_stats *st)
{
	int bad = -1, got = 0;
	uint32_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		got = py_linetable_line(linetable, sizeof(linetable), 1, i);
		if (got != lines[i]) {
			bad = (int)i;
			break;
		}
	}
	CHECK(st, bad < 0, "linetable: every instruction's line as co_lines() gives it",
	      "unit %d: %d, want %d", bad, got, bad >= 0 ? lines[bad] : 0);
	CHECK(st, py_linetable_line(linetable, sizeof(linetable), 1, 1000) == 0 &&
	      py_linetable_line(linetable, 4, 1, 20) == 0 &&
	      py_linetable_line(NULL, 0, 1, 0) == 0,
	      "linetable: past its end, or cut short, no line (never a guess)", "line");
}

int main(void)
{
	struct test_stats st = {};

	test_offsets(&st);
	test_linetable(&st);
	return st.failed ? 1 : 0;
}
