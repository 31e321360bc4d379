/* portable stub header: declarations only, for a device-only parse. */
#pragma once
extern "C" { int usleep(unsigned int); unsigned int sleep(unsigned int); int getopt(int, char *const[], const char *); }
extern char *optarg; extern int optind;
