// SPDX-License-Identifier: MIT
/*
 * commands.c - the table of commands (commands.h).
 */
#include <string.h>

#include "commands.h"

const struct cli_command *const cli_commands[] = {
	&cmd_list, &cmd_trace, &cmd_count, &cmd_latency, &cmd_hist, &cmd_calls, &cmd_flow,
	&cmd_stat, &cmd_profile, &cmd_dump,
	NULL,
};

const struct cli_command *cli_command__find(const char *name)
{
	int i;

	for (i = 0; cli_commands[i]; i++) {
		if (!strcmp(cli_commands[i]->name, name))
			return cli_commands[i];
	}
	return NULL;
}
