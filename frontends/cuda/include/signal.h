/* portable stub header: declarations only, for a device-only parse. */
#pragma once
typedef int sig_atomic_t; typedef void (*sighandler_t)(int);
#define SIGINT 2
#define SIGTERM 15
#define SIGKILL 9
#define SIGSEGV 11
#define SIGALRM 14
extern "C" { sighandler_t signal(int, sighandler_t); int raise(int); int kill(int, int); }
