/* portable stub header: declarations only, for a device-only parse. */
#pragma once
extern int errno;
#define EINVAL 22
#define ENOMEM 12
#define ERANGE 34
#define EEXIST 17
#define ENOENT 2
#define EINTR 4
