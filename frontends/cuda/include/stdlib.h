/* portable stub header: declarations only, for a device-only parse. */
#pragma once
extern "C" {
void *malloc(size_t); void *calloc(size_t, size_t); void *realloc(void *, size_t); void free(void *);
void exit(int); void abort(void); int atoi(const char *); long atol(const char *); double atof(const char *);
long strtol(const char *, char **, int); unsigned long strtoul(const char *, char **, int); double strtod(const char *, char **); float strtof(const char *, char **);
int rand(void); void srand(unsigned int); char *getenv(const char *); int system(const char *);
void qsort(void *, size_t, size_t, int (*)(const void *, const void *)); int posix_memalign(void **, size_t, size_t);
double drand48(void); void srand48(long); long lrand48(void); void *aligned_alloc(size_t, size_t);
}
#define RAND_MAX 2147483647
#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
