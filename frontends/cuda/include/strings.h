/* portable stub header: declarations only, for a device-only parse. */
#pragma once
extern "C" { int strcasecmp(const char *, const char *); int strncasecmp(const char *, const char *, size_t); void bzero(void *, size_t); void bcopy(const void *, void *, size_t); int ffs(int); }
