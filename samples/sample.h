/* SPDX-License-Identifier: MIT */
/* sample.h - what sample.c calls in sample_request.c. */
#ifndef SAMPLE_H
#define SAMPLE_H

void handle_request(long i);
/* Is sample:request__start's semaphore raised (a tracer attached)? */
int request_traced(void);

#endif /* SAMPLE_H */
