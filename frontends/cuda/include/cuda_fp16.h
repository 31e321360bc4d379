/* portable stub header: declarations only, for a device-only parse. */
#pragma once
struct __half { unsigned short __x; };
struct __half2 { __half x, y; };
typedef __half half;
typedef __half2 half2;
__host__ __device__ __half __float2half(float); __host__ __device__ float __half2float(__half); __device__ __half __hadd(__half, __half); __device__ __half __hmul(__half, __half); __device__ __half2 __floats2half2_rn(float, float);
