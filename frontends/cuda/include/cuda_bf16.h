/* portable stub header: declarations only, for a device-only parse. */
#pragma once
struct __nv_bfloat16 { unsigned short __x; };
typedef __nv_bfloat16 nv_bfloat16;
__host__ __device__ __nv_bfloat16 __float2bfloat16(float); __host__ __device__ float __bfloat162float(__nv_bfloat16);
