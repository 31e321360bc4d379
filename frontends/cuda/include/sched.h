/* portable stub header: declarations only, for a device-only parse. */
#pragma once
typedef struct { unsigned long __bits[16]; } cpu_set_t;
#define CPU_ZERO(s) ((void)(s))
#define CPU_SET(c, s) ((void)(s))
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_OTHER 0
struct sched_param { int sched_priority; };
extern "C" { int sched_setaffinity(int, unsigned long, const cpu_set_t *); int sched_getaffinity(int, unsigned long, cpu_set_t *); int sched_yield(void); int sched_setscheduler(int, int, const struct sched_param *); int sched_get_priority_max(int); }
