/* portable stub header: declarations only, for a device-only parse. */
#pragma once
namespace std { }
#ifndef va_start
typedef __builtin_va_list va_list;
#define va_start(v, l) __builtin_va_start(v, l)
#define va_end(v) __builtin_va_end(v)
#define va_arg(v, t) __builtin_va_arg(v, t)
#endif
