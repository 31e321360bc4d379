/* portable stub header: declarations only, for a device-only parse. */
#pragma once
#include <nvToolsExt.h>
