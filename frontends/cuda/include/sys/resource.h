/* portable stub header: declarations only, for a device-only parse. */
#pragma once
#include <sys/time.h>
struct rusage { struct timeval ru_utime; struct timeval ru_stime; long ru_maxrss; };
struct rlimit { unsigned long rlim_cur; unsigned long rlim_max; };
#define RUSAGE_SELF 0
#define RLIMIT_STACK 3
extern "C" { int getrusage(int, struct rusage *); int getrlimit(int, struct rlimit *); int setrlimit(int, const struct rlimit *); }
