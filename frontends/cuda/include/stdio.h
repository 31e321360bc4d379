/* portable stub header: declarations only, for a device-only parse. */
#pragma once
typedef struct __portable_FILE FILE;
extern FILE *stdin, *stdout, *stderr;
extern "C" {
int fprintf(FILE *, const char *, ...); int sprintf(char *, const char *, ...);
int snprintf(char *, size_t, const char *, ...); int puts(const char *); int putchar(int);
int fflush(FILE *); FILE *fopen(const char *, const char *); int fclose(FILE *);
size_t fread(void *, size_t, size_t, FILE *); size_t fwrite(const void *, size_t, size_t, FILE *);
int scanf(const char *, ...); int fscanf(FILE *, const char *, ...); int sscanf(const char *, const char *, ...);
int getchar(void); char *fgets(char *, int, FILE *); int fputs(const char *, FILE *); void perror(const char *);
int fseek(FILE *, long, int); long ftell(FILE *); void rewind(FILE *); int feof(FILE *); int remove(const char *);
}
#define EOF (-1)
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
