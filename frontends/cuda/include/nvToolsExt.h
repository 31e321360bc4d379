/* portable stub header: declarations only, for a device-only parse. */
#pragma once
extern "C" { int nvtxRangePushA(const char *); int nvtxRangePop(void); void nvtxMarkA(const char *); typedef unsigned long long nvtxRangeId_t; nvtxRangeId_t nvtxRangeStartA(const char *); void nvtxRangeEnd(nvtxRangeId_t); }
#define nvtxRangePush nvtxRangePushA
#define nvtxMark nvtxMarkA
#define nvtxRangeStart nvtxRangeStartA
