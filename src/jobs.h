/* Scheduled jobs of `fanghu serve`: one thread runs each job at its interval (reminders, the
 * daily duty rebuild for the year's new duties, event retention …). Modules built in parallel
 * declare their job tables weakly in jobs.c. */
#ifndef FANGHU_JOBS_H
#define FANGHU_JOBS_H

#include "err.h"

struct store;

struct job {
    const char *name;
    int interval_s;
    enum err (*run)(struct store *st);
};

/* Starts the scheduler thread; jobs_stop waits for the running job to finish. */
enum err jobs_start(struct store *st);
void jobs_stop(void);
/* Runs every job once now, in this thread (for tests and `fanghu jobs run`). */
enum err jobs_run_all(struct store *st);

#endif
