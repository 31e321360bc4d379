/* portable stub header: declarations only, for a device-only parse. */
#pragma once
extern "C" { void error(int, int, const char *, ...); }
