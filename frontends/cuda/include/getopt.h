/* portable stub header: declarations only, for a device-only parse. */
#pragma once
#include <unistd.h>
struct option { const char *name; int has_arg; int *flag; int val; };
#define no_argument 0
#define required_argument 1
#define optional_argument 2
extern "C" int getopt_long(int, char *const[], const char *, const struct option *, int *);
extern int opterr, optopt;
