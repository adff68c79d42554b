/* The scheduler thread. It sleeps on a condition variable so that stopping is immediate. */
#include <pthread.h>
#include <time.h>

#include "duty/duty.h"
#include "jobs.h"
#include "log.h"
#include "store/store.h"
#include "timeutil.h"

/* Duties follow every change in the same transaction; what changes with the date alone is the
 * year's annual-report duty of each organisation, rebuilt once a day (a short write, unlike a
 * full recompute, which on a million units would hold SQLite's write lock for seconds). */
static enum err duty_daily(struct store *st)
{
    struct db *db;
    long long n;
    enum err rc = store_acquire(st, &db);
    if (rc || (rc = db_begin(db)))
        return rc;
    if ((rc = duty_recompute_subject(db, "org", &n)) || (rc = db_commit(db)))
        db_rollback(db);
    else
        log_info("job duty-daily: %lld duties", n);
    return rc;
}

static const struct job core_jobs[] = {
    {"duty-daily", 24 * 3600, duty_daily},
    {NULL, 0, NULL},
};

#define OPTIONAL_JOBS(name) extern const struct job name[] __attribute__((weak))
OPTIONAL_JOBS(remind_jobs);
OPTIONAL_JOBS(threat_jobs);
OPTIONAL_JOBS(inspect_jobs);

static const struct job *const *tables(int *n)
{
    static const struct job *t[4];
    t[0] = core_jobs;
    t[1] = remind_jobs;
    t[2] = threat_jobs;
    t[3] = inspect_jobs;
    *n = 4;
    return t;
}

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int stopping, started;
static struct store *store;

static void run_one(const struct job *j)
{
    int64_t t0 = time_mono_ms();
    enum err rc = j->run(store);
    if (rc)
        log_warn("job %s failed: %s", j->name,
                 err_last()->msg[0] ? err_last()->msg : err_message(rc));
    else
        log_debug("job %s done in %lld ms", j->name, (long long)(time_mono_ms() - t0));
}

static void *loop(void *arg)
{
    (void)arg;
    int n;
    const struct job *const *t = tables(&n);
    time_t next[4][16] = {{0}};
    pthread_mutex_lock(&lock);
    while (!stopping) {
        time_t now = time(NULL);
        for (int i = 0; i < n; i++)
            for (int k = 0; t[i] && t[i][k].name && k < 16; k++)
                if (now >= next[i][k]) {
                    pthread_mutex_unlock(&lock);
                    run_one(&t[i][k]);
                    pthread_mutex_lock(&lock);
                    next[i][k] = now + t[i][k].interval_s;
                }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 30;
        if (!stopping)
            pthread_cond_timedwait(&wake, &lock, &until);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

enum err jobs_start(struct store *st)
{
    store = st;
    stopping = 0;
    if (pthread_create(&thread, NULL, loop, NULL))
        return errf(ERR_INTERNAL, NULL, "无法启动定时任务线程");
    started = 1;
    return ERR_OK;
}

void jobs_stop(void)
{
    if (!started)
        return;
    pthread_mutex_lock(&lock);
    stopping = 1;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    started = 0;
}

enum err jobs_run_all(struct store *st)
{
    int n;
    const struct job *const *t = tables(&n);
    store = st;
    for (int i = 0; i < n; i++)
        for (int k = 0; t[i] && t[i][k].name; k++)
            run_one(&t[i][k]);
    return ERR_OK;
}
