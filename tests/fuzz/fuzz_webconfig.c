// SPDX-License-Identifier: MIT
/*
 * fuzz_webconfig.c - libFuzzer target for --serve's web configuration
 * parser (util/webconfig.h, libyaml underneath): any bytes; what parses is
 * consistent (TLS needs both files, every user a bcrypt hash) and freed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/webconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webconfig wc;
	char why[256];
	int i;

	why[0] = '\0';
	i = webconfig__parse((const char *)data, size, &wc, why, sizeof(why));
	if (i == -EINVAL && !why[0])
		abort();	/* every refusal says why */
	if (i)
		return 0;
	if (!wc.cert_file != !wc.key_file || wc.nr_users < 0 ||
	    wc.nr_users > WEBCONFIG_MAX_USERS)
		abort();
	for (i = 0; i < wc.nr_users; i++) {
		if (!wc.users[i].name || !wc.users[i].hash || wc.users[i].hash[0] != '$')
			abort();
	}
	webconfig__free(&wc);
	return 0;
}
