/*
 * sample_probes.d - probes declared the DTrace way: `dtrace -h` turns this
 * into a header of SAMPLE_*() macros with *_ENABLED() semaphore checks, and
 * `dtrace -G` into an object holding the semaphores.
 */
provider sample {
	/* request id, path: guarded by a semaphore, so the argument work is
	 * only done while a tracer is attached */
	probe request__start(long, const char *);
	probe request__done(long, int);
};
