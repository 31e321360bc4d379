/* portable stub header: declarations only, for a device-only parse. */
#pragma once
extern "C" { char *basename(char *); char *dirname(char *); }
