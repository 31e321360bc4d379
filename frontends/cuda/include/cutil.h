/* portable stub header: declarations only, for a device-only parse. */
#pragma once
/* the old CUDA SDK utility header: its checking macros, for host code. */
#define CUDA_SAFE_CALL(x) (x)
#define CUDA_SAFE_CALL_NO_SYNC(x) (x)
#define CUT_SAFE_CALL(x) (x)
#define CUT_CHECK_ERROR(m)
#define CUDA_CHECK_ERROR(m)
#define CUT_DEVICE_INIT(a, b)
#define CUT_EXIT(a, b)
