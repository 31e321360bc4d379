/* portable stub header: declarations only, for a device-only parse. */
#pragma once
struct dirent { char d_name[256]; }; typedef struct __portable_DIR DIR;
extern "C" { DIR *opendir(const char *); struct dirent *readdir(DIR *); int closedir(DIR *); }
