/* SPDX-License-Identifier: MIT */
/* sample.h - what sample.c calls in sample_request.c. */
#ifndef SAMPLE_H
#define SAMPLE_H

void handle_request(long i);

#endif /* SAMPLE_H */
