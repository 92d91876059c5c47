// SPDX-License-Identifier: MIT
/*
 * test_phplayout.c - the profiler's PHP 8.2 layout table
 * (lang-adapters/php.c) checked with offsetof() against php8.2-dev's own
 * Zend headers.
 */
#include "php.h"
#include "zend_globals.h"
#include <stddef.h>

#include "../../lang-adapters/interp.h"
#include "test.h"

#define OFF(field, want, name) \
	CHECK(st, (size_t)(want) == (size_t)(field), name, "%zu, table %u", (size_t)(field), \
	      (unsigned int)(want))

static void test_offsets(struct test_stats *st)
{
	const struct php_layout *l = php_layout__find("8.2");
	const struct ut_php_proc *php;

	CHECK(st, l && PHP_MAJOR_VERSION == 8 && PHP_MINOR_VERSION == 2,
	      "layout: one for the headers' 8.2", "%s", PHP_VERSION);
	if (!l)
		return;
	php = &l->proc.php;
	CHECK(st, l->proc.kind == UT_INTERP_PHP, "layout: kind php", "%u", l->proc.kind);
	OFF(ZEND_MODULE_API_NO, l->api, "layout: the Zend module API it was measured for");
	OFF(sizeof(zend_executor_globals), l->eg_size, "layout: executor_globals' size");
	OFF(offsetof(zend_executor_globals, current_execute_data), php->eg_current,
	    "layout: EG(current_execute_data)");
	OFF(offsetof(zend_execute_data, opline), php->ex_opline, "layout: execute_data opline");
	OFF(offsetof(zend_execute_data, func), php->ex_func, "layout: execute_data func");
	OFF(offsetof(zend_execute_data, This.u1.type_info), php->ex_type_info,
	    "layout: execute_data This.u1.type_info");
	OFF(offsetof(zend_execute_data, prev_execute_data), php->ex_prev,
	    "layout: execute_data prev_execute_data");
	CHECK(st, php->ex_prev + 8u <= UT_INTERP_FRAME_READ, "layout: a frame is read whole",
	      "%u", php->ex_prev);
	OFF(ZEND_CALL_TOP, php->call_top, "layout: ZEND_CALL_TOP");
	OFF(offsetof(zend_function, type), l->func_type, "layout: function type");
	OFF(offsetof(zend_function, common.function_name), l->func_name,
	    "layout: function name");
	OFF(offsetof(zend_function, common.scope), l->func_scope, "layout: function scope");
	OFF(offsetof(zend_function, op_array.filename), l->func_file, "layout: op_array filename");
	OFF(offsetof(zend_function, op_array.line_start), l->func_line_start,
	    "layout: op_array line_start");
	OFF(offsetof(zend_class_entry, name), l->class_name, "layout: class name");
	OFF(offsetof(zend_string, len), l->zstr_len, "layout: zend_string len");
	OFF(offsetof(zend_string, val), l->zstr_val, "layout: zend_string val");
	OFF(offsetof(zend_op, lineno), php->op_lineno, "layout: zend_op lineno (the sampler's)");
	OFF(ZEND_INTERNAL_FUNCTION, 1, "layout: ZEND_INTERNAL_FUNCTION (phpframes.c)");
}

int main(void)
{
	struct test_stats st = {};

	test_offsets(&st);
	return st.failed ? 1 : 0;
}
