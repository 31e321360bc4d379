/* portable stub header: declarations only, for a device-only parse. */
#pragma once
typedef long time_t; typedef long clock_t;
struct timespec { time_t tv_sec; long tv_nsec; };
extern "C" { time_t time(time_t *); clock_t clock(void); int clock_gettime(int, struct timespec *); }
#define CLOCKS_PER_SEC 1000000l
#define CLOCK_MONOTONIC 1
#define CLOCK_REALTIME 0
