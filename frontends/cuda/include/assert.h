/* portable stub header: declarations only, for a device-only parse. */
#pragma once
/* device asserts compile out, as in an NDEBUG build */
#define assert(e) ((void)0)
