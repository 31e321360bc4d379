/* portable stub header: declarations only, for a device-only parse. */
#pragma once
extern "C" { int wait(int *); int waitpid(int, int *, int); }
