/* portable stub header: declarations only, for a device-only parse. */
#pragma once
#include <cuda_fp16.h>
struct __nv_bfloat16 { unsigned short __x; __nv_bfloat16() = default; __host__ __device__ __nv_bfloat16(float); __host__ __device__ operator float() const; };
struct __nv_bfloat162 { __nv_bfloat16 x, y; }; typedef __nv_bfloat16 nv_bfloat16; typedef __nv_bfloat162 nv_bfloat162;
__host__ __device__ __nv_bfloat16 __float2bfloat16(float); __host__ __device__ float __bfloat162float(__nv_bfloat16);
__host__ __device__ __nv_bfloat162 __floats2bfloat162_rn(float, float); __host__ __device__ __nv_bfloat16 __hadd(__nv_bfloat16, __nv_bfloat16); __host__ __device__ __nv_bfloat16 __hmul(__nv_bfloat16, __nv_bfloat16);
