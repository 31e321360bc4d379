/* portable stub header: declarations only, for a device-only parse. */
#pragma once
#include <stdlib.h>
extern "C" void *memalign(size_t, size_t);
