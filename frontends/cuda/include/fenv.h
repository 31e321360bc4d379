/* portable stub header: declarations only, for a device-only parse. */
#pragma once
#define FE_TONEAREST 0
#define FE_DOWNWARD 0x400
#define FE_UPWARD 0x800
#define FE_TOWARDZERO 0xc00
extern "C" { int fesetround(int); int fegetround(void); }
