/* portable stub header: declarations only, for a device-only parse. */
#pragma once
/* everything is in the portable prelude, included before every file */
