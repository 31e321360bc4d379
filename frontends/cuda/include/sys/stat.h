/* portable stub header: declarations only, for a device-only parse. */
#pragma once
#include <sys/types.h>
struct stat { off_t st_size; mode_t st_mode; long st_mtime; };
#define S_IRUSR 0400
#define S_IWUSR 0200
#define S_IRWXU 0700
#define S_IFDIR 0040000
#define S_ISDIR(m) (((m) & 0170000) == 0040000)
extern "C" { int stat(const char *, struct stat *); int fstat(int, struct stat *); int mkdir(const char *, mode_t); }
