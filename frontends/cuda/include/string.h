/* portable stub header: declarations only, for a device-only parse. */
#pragma once
extern "C" {
__host__ __device__ void *memcpy(void *, const void *, size_t); __host__ __device__ void *memset(void *, int, size_t); void *memmove(void *, const void *, size_t);
int memcmp(const void *, const void *, size_t); size_t strlen(const char *); int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t); char *strcpy(char *, const char *); char *strncpy(char *, const char *, size_t);
char *strcat(char *, const char *); char *strchr(const char *, int); char *strstr(const char *, const char *); char *strdup(const char *); char *strtok(char *, const char *);
}
