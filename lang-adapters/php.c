// SPDX-License-Identifier: MIT
/*
 * php.c - the PHP 8.2 adapter (/usr/bin/php8.2).
 *
 * function__entry/return(function, file, line, class, scope),
 * compile__file__entry(file, translated), exception__thrown(class). The
 * probes fire only with USE_ZEND_DTRACE=1 in the environment.
 */
#include <string.h>

#include "interp.h"
#include "lang.h"

/*
 * PHP 8.2's structs as `usdtrace profile` reads them (x86-64, non-ZTS, from
 * php8.2-dev's Zend headers: tests/unit/test_phplayout.c checks them with
 * offsetof()).
 */
static const struct php_layout php82 = {
	.api = 20220829,
	.func_type = 0,
	.func_name = 8,
	.func_scope = 16,
	.func_file = 152,
	.func_line_start = 160,
	.class_name = 8,
	.zstr_len = 16,
	.zstr_val = 24,
	.eg_size = 1800,
	.proc = {
		.kind = UT_INTERP_PHP,
		.php = {
			.eg_current = 488,
			.ex_opline = 0,
			.ex_func = 24,
			.ex_type_info = 40,
			.ex_prev = 48,
			.op_lineno = 24,
			.call_top = 0x20000,
		},
	},
};

const struct php_layout *php_layout__find(const char *version)
{
	return !strcmp(version, "8.2") ? &php82 : NULL;
}

const struct lang_adapter lang_php = {
	.lang = "php",
	.runtime = "php8.2",
	.probes = {
		{ LANG_ENTRY, "php:function__entry(s,s,d,s,s)" },
		{ LANG_RETURN, "php:function__return(s,s,d,s,s)" },
		{ LANG_LOAD, "php:compile__file__entry(s,s)" },
		{ LANG_EXCEPTION, "php:exception__thrown(s)" },
	},
	.ident = { 3, 0, -1 },
	.style = LANG_NAME_PHP,
	.alloc_size_arg = -1,
	.child_env = "USE_ZEND_DTRACE=1",
	.needs = "USE_ZEND_DTRACE=1",
	.system_binary = "/usr/bin/php8.2",
};
