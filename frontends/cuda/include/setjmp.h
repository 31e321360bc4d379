/* portable stub header: declarations only, for a device-only parse. */
#pragma once
typedef long jmp_buf[8];
extern "C" { int setjmp(jmp_buf); void longjmp(jmp_buf, int); }
