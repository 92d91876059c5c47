// SPDX-License-Identifier: MIT
/*
 * php.c - the PHP 8.2 adapter (/usr/bin/php8.2).
 *
 * function__entry/return(function, file, line, class, scope),
 * compile__file__entry(file, translated), exception__thrown(class). The
 * probes fire only with USE_ZEND_DTRACE=1 in the environment.
 */
#include "lang.h"

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
