/* portable stub header: declarations only, for a device-only parse. */
#pragma once
#define __bool_true_false_are_defined 1
